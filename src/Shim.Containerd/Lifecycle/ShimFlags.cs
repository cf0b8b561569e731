namespace Shim.Containerd.Lifecycle;

/// <summary>What the shim binary was asked to do (the last non-flag word).</summary>
public enum ShimAction
{
    /// <summary><c>start</c>: spawn (or join) a daemon and print its address.</summary>
    Start,
    /// <summary><c>delete</c>: final clean-up after a disconnect; print a DeleteResponse.</summary>
    Delete,
    /// <summary><c>serve</c>: our own daemon mode, spawned by <c>start</c>.</summary>
    Serve,
}

/// <summary>The Go-style flags containerd passes (containerd-shim-v2.md §3.1, §6.1) plus our daemon's <c>-socket</c>.</summary>
/// <param name="Namespace">containerd namespace: goes into every event envelope.</param>
/// <param name="Address">containerd's gRPC socket (only the legacy publish path uses it).</param>
/// <param name="PublishBinary">containerd executable (legacy publish path).</param>
/// <param name="Id">Task id; also the bundle directory name.</param>
/// <param name="Bundle">Bundle path (only passed to <c>delete</c>; otherwise the cwd).</param>
/// <param name="Debug">containerd runs at debug/trace level.</param>
/// <param name="Socket">Daemon mode: the unix socket path to serve.</param>
/// <param name="RuntimeConfigPath">Daemon mode: config_path read from start's stdin (Create's options win).</param>
/// <param name="ReadyFd">Daemon mode: the inherited pipe to report readiness on (<see cref="ReadinessPipe"/>), or null.</param>
public sealed record ShimFlags(
    ShimAction Action,
    string Namespace,
    string Address,
    string PublishBinary,
    string Id,
    string? Bundle,
    bool Debug,
    string? Socket,
    string? RuntimeConfigPath = null,
    int? ReadyFd = null);
