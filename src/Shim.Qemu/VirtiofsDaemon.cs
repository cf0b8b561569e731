using System.Diagnostics;

namespace Shim.Qemu;

/// <summary>
/// virtiofsd exporting a sandbox's shared directory to the guest (Kata's kataShared), started before QEMU. QEMU
/// connects to its vhost-user socket at start-up, and the daemon exits on its own when QEMU disconnects; stopping it
/// is for a QEMU that never came up. Both QEMU's C virtiofsd and the Rust one accept these options.
/// </summary>
public sealed class VirtiofsDaemon : IAsyncDisposable
{
    private static readonly TimeSpan SocketPoll = TimeSpan.FromMilliseconds(5);
    private readonly Process process;

    private VirtiofsDaemon(Process process, string socketPath)
    {
        this.process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public int Pid => process.Id;

    /// <summary>Completes when the daemon has exited.</summary>
    public Task Exited => process.WaitForExitAsync();

    /// <summary>The QEMU arguments that attach the export as a vhost-user-fs device with tag <paramref name="tag"/>.</summary>
    public static IReadOnlyList<string> ChardevArguments(string socketPath, string chardevId) =>
        ["-chardev", $"socket,id={chardevId},path={socketPath}"];

    /// <summary>The <c>-device</c> value of the vhost-user-fs device (Kata's queue size).</summary>
    public static string DeviceArgument(string chardevId, string tag) => $"vhost-user-fs-pci,chardev={chardevId},tag={tag},queue-size=1024";

    /// <summary>Starts the daemon and returns once its socket exists (or throws with the daemon's own words).</summary>
    public static async Task<VirtiofsDaemon> StartAsync(string binary, string socketPath, string sharedDirectory, string cache, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (!File.Exists(binary))
        {
            throw new QemuConfigurationException($"virtiofsd '{binary}' does not exist; install it (Debian: virtiofsd, or qemu-system-common's /usr/lib/qemu/virtiofsd) and set virtio_fs_daemon in [hypervisor.qemu].");
        }
        File.Delete(socketPath);
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.ArgumentList.Add($"--socket-path={socketPath}");
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add($"source={sharedDirectory},cache={cache}");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {binary}");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var daemon = new VirtiofsDaemon(process, socketPath);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(socketPath))
        {
            if (process.HasExited || clock.Elapsed > deadline)
            {
                var why = process.HasExited
                    ? $"virtiofsd exited ({process.ExitCode}) before creating {socketPath}"
                    : $"virtiofsd did not create {socketPath} within {deadline.TotalSeconds:0.#} s";
                if (process.HasExited) await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false); // its stderr, drained
                await daemon.DisposeAsync().ConfigureAwait(false);
                string said;
                lock (stderr) said = stderr.ToString().Trim();
                throw new VirtiofsdStartException(why + (said.Length > 0 ? $": {said}" : ""), [binary, .. info.ArgumentList]);
            }
            await Task.Delay(SocketPoll, cancellationToken).ConfigureAwait(false);
        }
        return daemon;
    }

    /// <summary>Ends the daemon if it still runs (it normally exits with QEMU).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
        process.Dispose();
        File.Delete(SocketPath);
    }
}

/// <summary>virtiofsd did not come up; the message carries its own stderr.</summary>
public sealed class VirtiofsdStartException(string message, IReadOnlyList<string> commandLine) : Exception(message)
{
    public IReadOnlyList<string> CommandLine { get; } = commandLine;
}
