using System.Diagnostics;
using System.Text;
using Shim.Agent.Tests;
using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

/// <summary>
/// A private containerd 1.6 (containerd-shim-v2.md §16) with containerd-shim-kataplug-v2 on its PATH: root,
/// state, sockets and shim sockets all under one short temp directory, CRI disabled, debug level (so start gets
/// -debug). Reusable: share it with <c>IClassFixture&lt;ContainerdFixture&gt;</c> and drive it with <see cref="CtrAsync"/>.
/// Fails loudly when containerd or ctr is missing. Dispose kills containerd and every leftover shim by pid.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    public const string Runtime = "io.containerd.kataplug.v2";
    public const string Namespace = "test";

    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(20);
    private readonly StringBuilder log = new();
    private System.Diagnostics.Process? containerd;
    private System.Diagnostics.Process? agent;

    /// <summary>The temp root (short, so socket paths stay under the unix limit).</summary>
    public string Directory { get; private set; } = "";

    public string GrpcAddress => Path.Combine(Directory, "c.sock");
    public string TtrpcAddress => Path.Combine(Directory, "c.sock.ttrpc");
    public string StateDirectory => Path.Combine(Directory, "state");
    public string SocketDirectory => Path.Combine(Directory, "s");
    public string BinDirectory => Path.Combine(Directory, "bin");
    public string FifoDirectory => Path.Combine(Directory, "fifo");

    /// <summary>A tiny rootfs (sh, true, sleep, echo, cat and their libraries) for <c>ctr run --rootfs</c> (no image needed).</summary>
    public string RootfsDirectory => Path.Combine(Directory, "rootfs");

    /// <summary>The shipped kataplug configuration pointed at this fixture's test agent and state, for <c>--runtime-config-path</c>.</summary>
    public string ConfigFile => Path.Combine(Directory, "kataplug.toml");

    /// <summary>The kataplug <c>[host] state_dir</c> of <see cref="ConfigFile"/>.</summary>
    public string KataplugStateDirectory => Path.Combine(Directory, "kp");

    /// <summary>The hybrid-vsock socket of the test agent that stands in for the guest (serves sandbox after sandbox).</summary>
    public string AgentSocket => Path.Combine(Directory, "agent.sock");

    /// <summary>What the test agent recorded (JSON, rewritten after every call).</summary>
    public string AgentRecordFile => Path.Combine(Directory, "agent-record.json");

    public string CtrBinary { get; private set; } = "";

    /// <summary>containerd's stdout+stderr so far (it includes the shim's log fifo lines).</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>The bundle directory containerd creates for <paramref name="id"/>.</summary>
    public string Bundle(string id) => Path.Combine(StateDirectory, "io.containerd.runtime.v2.task", Namespace, id);

    /// <summary>The socket path the shim daemon of <paramref name="id"/> listens on.</summary>
    public string ShimSocket(string id) => ShimSocketAddress.SocketPath(SocketDirectory, GrpcAddress, Namespace, id);

    public async Task InitializeAsync()
    {
        var binary = FindOnPath("containerd")
            ?? throw new InvalidOperationException("containerd is not installed (apt-get install containerd); the Containerd test tier needs it");
        CtrBinary = FindOnPath("ctr") ?? throw new InvalidOperationException("ctr is not installed (it ships with containerd)");
        Directory = System.IO.Directory.CreateTempSubdirectory("kpc-").FullName;
        foreach (var dir in new[] { BinDirectory, RootfsDirectory, SocketDirectory, FifoDirectory })
        {
            System.IO.Directory.CreateDirectory(dir);
        }
        // A wrapper rather than a symlink: the apphost finds its managed dll next to its real path.
        var wrapper = Path.Combine(BinDirectory, ShimBinary.FileName);
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec '{ShimBinary.Path}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await TinyRootfs.BuildAsync(RootfsDirectory, CancellationToken.None, "/bin/sh", "/bin/true", "/bin/sleep", "/bin/echo", "/bin/cat");
        await File.WriteAllTextAsync(ConfigFile, ForThisFixture(await File.ReadAllTextAsync(ShimBinary.SampleConfiguration)));
        await StartTestAgentAsync();

        var config = Path.Combine(Directory, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{Directory}/root"
            state = "{StateDirectory}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{GrpcAddress}"
            [ttrpc]
              address = "{TtrpcAddress}"
            [debug]
              level = "debug"
            """);

        await StartContainerdAsync(binary, config);
    }

    // The shipped file, with the agent at our test agent, kataplug's state under our directory and no plugins
    // directory (discovery is off: these tests are about the containerd contract, not devices).
    private string ForThisFixture(string shipped)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(shipped, @"(?m)^address = "".*""$", $"address = \"hvsock://{AgentSocket}:1024\"");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(?m)^state_dir = "".*""$", $"state_dir = \"{KataplugStateDirectory}\"");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(?m)^directory = ""/opt/kataplug/plugins""$", $"directory = \"{Directory}/no-plugins\"");
        if (!text.Contains(AgentSocket, StringComparison.Ordinal) || !text.Contains(KataplugStateDirectory, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{ShimBinary.SampleConfiguration} no longer has the address/state_dir lines this fixture rewrites");
        }
        return text;
    }

    private async Task StartTestAgentAsync()
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kataplug-test-agent"),
            ["--socket", AgentSocket, "--serve-many", "--record", AgentRecordFile,
             "--shared-root", Path.Combine(KataplugStateDirectory, "sandboxes", "{sandbox}", "shared")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        agent = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("cannot start kataplug-test-agent");
        agent.ErrorDataReceived += (_, e) => Append("agent: " + e.Data);
        agent.BeginErrorReadLine();
        // "ready <socket>" is its first line, printed once it accepts connections.
        var ready = await agent.StandardOutput.ReadLineAsync().WaitAsync(StartPatience);
        if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"kataplug-test-agent did not get ready: '{ready}' {Log}");
        }
    }

    /// <summary>
    /// Kills containerd (SIGKILL) and starts it again on the same root/state/sockets. Shim daemons survive (they
    /// run in their own sessions); containerd reloads them from each bundle's <c>address</c> file.
    /// </summary>
    public async Task RestartContainerdAsync()
    {
        var process = containerd ?? throw new InvalidOperationException("containerd was never started");
        var binary = process.StartInfo.FileName;
        process.Kill();
        await process.WaitForExitAsync().WaitAsync(StartPatience);
        process.Dispose();
        Append("---- containerd restarted by the test ----");
        await StartContainerdAsync(binary, Path.Combine(Directory, "config.toml"));
    }

    private async Task StartContainerdAsync(string binary, string config)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(binary, ["--config", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // containerd also resolves "./containerd-shim-kataplug-v2" against its cwd (§1, step 2): keep it in our
            // directory, not in the test output folder, which holds a copy of the apphost without its dll.
            WorkingDirectory = Directory,
        };
        info.Environment["PATH"] = $"{BinDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
        info.Environment[ShimSocketAddress.DirectoryEnvironmentVariable] = SocketDirectory;
        containerd = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        containerd.ErrorDataReceived += (_, e) =>
        {
            Append(e.Data);
            if (e.Data?.Contains("containerd successfully booted", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        containerd.OutputDataReceived += (_, e) => Append(e.Data);
        containerd.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"containerd exited early: {Log}"));
        containerd.Start();
        containerd.BeginErrorReadLine();
        containerd.BeginOutputReadLine();
        await ready.Task.WaitAsync(StartPatience);
    }

    /// <summary>Runs <c>ctr --address &lt;ours&gt; -n test &lt;args&gt;</c>.</summary>
    public Task<ProcessResult> CtrAsync(params string[] args) => CtrAsync(TimeSpan.FromSeconds(60), args);

    public Task<ProcessResult> CtrAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync(CtrBinary, ["--address", GrpcAddress, "-n", Namespace, .. args], timeout);

    /// <summary><c>ctr run --rootfs … /bin/true</c> with our runtime and configuration; <paramref name="extra"/> go before the rootfs argument.</summary>
    public Task<ProcessResult> RunAsync(string id, params string[] extra) => RunCommandAsync(id, extra, ["/bin/true"]);

    /// <summary><c>ctr run -d … sleep 1000</c>: a task that stays RUNNING until killed.</summary>
    public Task<ProcessResult> RunDetachedAsync(string id, params string[] extra) => RunCommandAsync(id, ["-d", .. extra], ["/bin/sleep", "1000"]);

    public Task<ProcessResult> RunCommandAsync(string id, string[] extra, string[] command) =>
        CtrAsync(["run", "--fifo-dir", FifoDirectory, "--runtime", Runtime, "--runtime-config-path", ConfigFile, .. extra,
            "--rootfs", RootfsDirectory, id, .. command]);

    /// <summary>Live shim daemons serving <paramref name="id"/>.</summary>
    public IReadOnlyList<int> ShimDaemonPids(string id) => ProcessTable.PidsWhoseCommandLineContains(ShimSocket(id));

    /// <summary>Starts <c>ctr events</c> (stdout lines: topic + decoded event). Kill it by pid when done.</summary>
    public System.Diagnostics.Process StartCtrEvents()
    {
        var events = new System.Diagnostics.Process
        {
            StartInfo = new ProcessStartInfo(CtrBinary, ["--address", GrpcAddress, "events"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        events.Start();
        return events;
    }

    public async Task DisposeAsync()
    {
        if (containerd is not null)
        {
            try
            {
                if (!containerd.HasExited)
                {
                    containerd.Kill();
                    await containerd.WaitForExitAsync().WaitAsync(StartPatience);
                }
            }
            catch (InvalidOperationException)
            {
            }
            containerd.Dispose();
        }
        // Shim daemons are detached (new session): kill leftovers of this instance only, by pid (the test agent too).
        foreach (var pid in ProcessTable.PidsWhoseCommandLineContains(Directory.Length > 0 ? Directory : "\0"))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        try
        {
            // A killed shim may leave a rootfs share mounted; detach it so the delete cannot reach through it.
            Shim.Containerd.Mounts.MountTable.DetachAllUnder(Directory);
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Overlay or shm mounts may linger on a failure; the temp directory is then left for inspection.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/sbin").Append("/usr/local/bin")
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
