using System.Diagnostics;
using System.Text;

namespace Shim.Ttrpc.Tests;

/// <summary>
/// A private containerd 1.6 (containerd-shim-v2.md §16) in a temp directory; killed by pid on dispose.
/// Fails loudly when containerd is not installed: the Containerd tier requires it.
/// </summary>
internal sealed class PrivateContainerd : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(20);
    private readonly Process process;
    private readonly StringBuilder log = new();

    private PrivateContainerd(string directory, Process process)
    {
        Directory = directory;
        this.process = process;
    }

    public string Directory { get; }

    public string GrpcAddress => Path.Combine(Directory, "containerd.sock");

    public string TtrpcAddress => Path.Combine(Directory, "containerd.sock.ttrpc");

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

    public static async Task<PrivateContainerd> StartAsync()
    {
        var binary = FindOnPath("containerd")
            ?? throw new InvalidOperationException("containerd is not installed (apt-get install containerd); the Containerd test tier needs it");
        var directory = System.IO.Directory.CreateTempSubdirectory("ctd-").FullName;
        var config = Path.Combine(directory, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{directory}/containerd.sock"
            [ttrpc]
              address = "{directory}/containerd.sock.ttrpc"
            """);

        // The socket file appears at bind(), before listen(): wait for containerd's own "booted" line instead.
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var process = new Process
        {
            StartInfo = new ProcessStartInfo(binary, ["--config", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
            EnableRaisingEvents = true,
        };
        var instance = new PrivateContainerd(directory, process);
        process.ErrorDataReceived += (_, e) =>
        {
            instance.Append(e.Data);
            if (e.Data?.Contains("containerd successfully booted", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, e) => instance.Append(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"containerd exited early: {instance.Log}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await ready.Task.WaitAsync(StartPatience);
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
        return instance;
    }

    /// <summary>Starts <c>ctr events</c> and returns a reader of its stdout lines.</summary>
    public Process StartCtrEvents()
    {
        var ctr = FindOnPath("ctr") ?? throw new InvalidOperationException("ctr is not installed (it ships with containerd)");
        var events = new Process
        {
            StartInfo = new ProcessStartInfo(ctr, ["--address", GrpcAddress, "events"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        events.Start();
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(StartPatience);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
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
            .Append("/usr/local/bin").Append("/usr/bin").Append("/usr/sbin")
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
