using System.Collections.Concurrent;
using Shim.Agent.Protocol;

namespace Shim.Sandbox.Containers;

/// <summary>
/// A container created inside the guest: its init process, its execs (registered by containerd's Exec and run by
/// its Start, because the agent's <c>ExecProcess</c> starts the process at once), and the host mounts it holds.
/// </summary>
public sealed class GuestContainer(string id, GuestProcessRun init, string rootfsShare)
{
    public string Id { get; } = id;

    public GuestProcessRun Init { get; } = init;

    /// <summary>Host path of the rootfs bind in the sandbox's shared directory (unmounted on delete).</summary>
    public string RootfsShare { get; } = rootfsShare;

    /// <summary>Host paths of other binds shared for this container (volumes, /etc/hosts…).</summary>
    public List<string> SharedBinds { get; } = [];

    /// <summary>Execs by containerd exec id, each with the agent Process to run.</summary>
    public ConcurrentDictionary<string, (GuestProcessRun Run, Process Process)> Execs { get; } = new(StringComparer.Ordinal);

    public GuestProcessRun Find(string execId) =>
        execId.Length == 0 ? Init
        : Execs.TryGetValue(execId, out var exec) ? exec.Run
        : throw new Shim.Ttrpc.TtrpcException(Shim.Ttrpc.StatusCode.NotFound, $"exec {execId} of container {Id} not found");
}
