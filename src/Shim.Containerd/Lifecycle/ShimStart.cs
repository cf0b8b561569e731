using System.Net.Sockets;
using Shim.HostPci;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// The <c>start</c> action (containerd-shim-v2.md §3.4): find or spawn the daemon that serves the task, write
/// <c>&lt;bundle&gt;/address</c>, print only the address. A pod container joins its sandbox's daemon; otherwise a
/// detached daemon is spawned and the address is printed only once its socket accepts connections. On any
/// failure the spawned daemon is killed and its socket removed.
/// </summary>
public sealed class ShimStart(ShimFlags flags, string bundleDirectory, string socketDirectory, ShimExecutable executable)
{
    public const string AddressFileName = "address";

    /// <summary>Written by a daemon that fails before it serves; <c>start</c> quotes it.</summary>
    public const string ServeErrorFileName = "kataplug-serve-error";

    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the action; returns the address to print.</summary>
    /// <exception cref="ShimStartException">with a one-line reason.</exception>
    public async Task<string> RunAsync(string? runtimeConfigPath, CancellationToken cancellationToken)
    {
        BundleSpec spec;
        try
        {
            spec = BundleSpec.Load(bundleDirectory);
        }
        catch (InvalidDataException ex)
        {
            throw new ShimStartException(ex.Message);
        }
        var owner = spec.DaemonOwnerId(flags.Id);
        ContainerdIdentifier.Validate(owner, $"annotation {BundleSpec.SandboxIdAnnotation}");
        var socketPath = ShimSocketAddress.SocketPath(socketDirectory, flags.Address, flags.Namespace, owner);
        var address = ShimSocketAddress.ToAddress(socketPath);

        if (Accepts(socketPath))
        {
            // A pod container joining its sandbox, or a repeated start: one daemon serves them all (§13).
            WriteAddress(address);
            return address;
        }
        if (owner != flags.Id)
        {
            throw new ShimStartException(
                $"task {flags.Id} belongs to sandbox {owner} (annotation {BundleSpec.SandboxIdAnnotation}) but no shim listens on {socketPath}: create the sandbox first");
        }

        Directory.CreateDirectory(socketDirectory);
        File.Delete(Path.Combine(bundleDirectory, ServeErrorFileName));
        using var readiness = ReadinessPipe.Create();
        var pid = DetachedSpawn.Spawn(executable.Path, [.. executable.LeadingArguments, .. DaemonArguments(socketPath, runtimeConfigPath)], readiness.WriteFd);
        readiness.CloseWriteEnd();
        try
        {
            ShimPidFile.Write(bundleDirectory, pid);
            // The daemon says when it listens (or its death closes the pipe); the poll below then confirms at once.
            // Without a word before the deadline, the poll still bounds the wait and reports what happened.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            readiness.WaitReady(ReadyTimeout);
            // At least a second: after EOF the dying daemon may take a moment to become reapable.
            var left = ReadyTimeout - waited.Elapsed;
            await BoundedPoll.UntilAsync(
                () =>
                {
                    if (Accepts(socketPath))
                    {
                        return true;
                    }
                    if (ChildProcess.TryReap(pid, out var status))
                    {
                        throw new ShimStartException(
                            $"shim daemon {pid} exited with {ChildProcess.DescribeWaitStatus(status)} before serving {socketPath}: {ServeError()}");
                    }
                    return false;
                },
                left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1),
                () => $"shim daemon {pid} did not accept connections on {socketPath} within {ReadyTimeout.TotalSeconds:0} s",
                cancellationToken).ConfigureAwait(false);
            WriteAddress(address);
            return address;
        }
        catch (Exception ex)
        {
            Abort(pid, socketPath);
            throw ex is ShimStartException ? ex : new ShimStartException(ex.Message, ex);
        }
    }

    private List<string> DaemonArguments(string socketPath, string? runtimeConfigPath)
    {
        var args = new List<string>
        {
            "-namespace", flags.Namespace,
            "-address", flags.Address,
            "-publish-binary", flags.PublishBinary,
            "-id", flags.Id,
            "-bundle", bundleDirectory,
            "-socket", socketPath,
            "-ready-fd", ReadinessPipe.DaemonFd.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (flags.Debug)
        {
            args.Add("-debug");
        }
        if (!string.IsNullOrEmpty(runtimeConfigPath))
        {
            args.AddRange(["-runtime-config", runtimeConfigPath]);
        }
        args.Add("serve");
        return args;
    }

    private void WriteAddress(string address) => AtomicFile.WriteAllText(Path.Combine(bundleDirectory, AddressFileName), address);

    private string ServeError()
    {
        var path = Path.Combine(bundleDirectory, ServeErrorFileName);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "no reason recorded (see containerd's log)";
    }

    private void Abort(int pid, string socketPath)
    {
        ChildProcess.Kill(pid);
        ChildProcess.Reap(pid); // our child, SIGKILLed: returns promptly, and no zombie outlives us
        TryDelete(socketPath);
        TryDelete(Path.Combine(bundleDirectory, ShimPidFile.FileName));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the failure being reported matters more.
        }
    }

    /// <summary>True when something accepts connections on <paramref name="socketPath"/>.</summary>
    public static bool Accepts(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary><c>start</c> failed; the message is the one line containerd shows.</summary>
public sealed class ShimStartException(string message, Exception? inner = null) : Exception(message, inner);
