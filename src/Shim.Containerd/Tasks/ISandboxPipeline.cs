using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos.Types;

namespace Shim.Containerd.Tasks;

/// <summary>
/// What a task create/start/kill/delete does to the VM side: discover → plan → bind → QEMU for a sandbox,
/// a container inside the guest for a pod container. The Task service owns the containerd-facing state
/// (status, waiters, events); the pipeline owns every side effect. Throw <see cref="Shim.Ttrpc.TtrpcException"/>
/// to choose the code containerd sees; <see cref="Shim.Configuration.ConfigurationException"/> becomes InvalidArgument.
/// </summary>
public interface ISandboxPipeline
{
    /// <summary>Creates the task; returns only when it exists (for a sandbox: VM booted, guest answering).</summary>
    Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken);

    /// <summary>Starts the task's init process; returns its pid.</summary>
    Task<uint> StartAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Signals a running task; report the resulting exit through <see cref="ITaskExitSink"/>.</summary>
    Task KillAsync(string taskId, uint signal, bool all, CancellationToken cancellationToken);

    /// <summary>Releases everything the task holds (for a sandbox: QEMU stopped, devices back to their drivers).</summary>
    Task DeleteAsync(string taskId, CancellationToken cancellationToken);
}

/// <summary>Everything known about a task at Create.</summary>
/// <param name="TaskId">The container id.</param>
/// <param name="Namespace">containerd namespace.</param>
/// <param name="Bundle">Bundle directory (config.json, rootfs, log fifo).</param>
/// <param name="Spec">Annotations and root path read from config.json.</param>
/// <param name="SandboxId">The sandbox whose daemon serves this task (= TaskId for a sandbox or standalone container).</param>
/// <param name="RuntimeConfigPath">runtimeoptions config_path from the request (or from start's stdin), else null.</param>
/// <param name="Rootfs">The rootfs mounts (empty with <c>ctr run --rootfs</c>).</param>
/// <param name="Io">The stdio fifo paths.</param>
/// <param name="Exits">Where the pipeline reports the task's exit.</param>
public sealed record SandboxCreateRequest(
    string TaskId,
    string Namespace,
    string Bundle,
    BundleSpec Spec,
    string SandboxId,
    string? RuntimeConfigPath,
    IReadOnlyList<Mount> Rootfs,
    TaskIo Io,
    ITaskExitSink Exits)
{
    public bool IsSandbox => SandboxId == TaskId;
}

/// <summary>The stdio of a task as containerd passed it (fifo paths; empty = none).</summary>
public sealed record TaskIo(string Stdin, string Stdout, string Stderr, bool Terminal);

/// <summary>The result of a create: the pid containerd shows (Kata returns the hypervisor's).</summary>
public sealed record SandboxCreated(uint Pid);

/// <summary>The pipeline reports a task's exit here (the Task service completes waiters and publishes /tasks/exit).</summary>
public interface ITaskExitSink
{
    void ReportExit(string taskId, uint exitStatus, DateTimeOffset exitedAt);
}
