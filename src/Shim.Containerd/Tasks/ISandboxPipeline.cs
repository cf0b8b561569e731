using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos.Types;

namespace Shim.Containerd.Tasks;

/// <summary>
/// What the Task service's RPCs do to the VM side: discover → plan → bind → QEMU → agent for a sandbox, a container
/// inside the guest for every task, processes through the agent. The Task service owns the containerd-facing state
/// (status, waiters, events); the pipeline owns every side effect. Throw <see cref="Shim.Ttrpc.TtrpcException"/>
/// to choose the code containerd sees; <see cref="Shim.Configuration.ConfigurationException"/> becomes InvalidArgument.
/// An exec id of "" names the task's init process.
/// </summary>
public interface ISandboxPipeline
{
    /// <summary>Creates the task; returns only when it exists (for a sandbox: VM booted, agent answering, container created).</summary>
    Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken);

    /// <summary>Registers an exec (containerd starts it later with <see cref="StartAsync"/>).</summary>
    Task ExecAsync(ExecCreateRequest request, CancellationToken cancellationToken);

    /// <summary>Starts the init process (<paramref name="execId"/> "") or an exec; returns its pid. Its exit is reported to the sink.</summary>
    Task<uint> StartAsync(string taskId, string execId, CancellationToken cancellationToken);

    /// <summary>Signals a running process (<paramref name="all"/>: every process of the container).</summary>
    Task KillAsync(string taskId, string execId, uint signal, bool all, CancellationToken cancellationToken);

    /// <summary>Resizes a terminal process's pty.</summary>
    Task ResizePtyAsync(string taskId, string execId, uint width, uint height, CancellationToken cancellationToken);

    /// <summary>containerd closed its end of stdin: the process sees EOF once what was written has been delivered.</summary>
    Task CloseStdinAsync(string taskId, string execId, CancellationToken cancellationToken);

    /// <summary>Applies new resources (OCI LinuxResources as containerd sends them); may hot-plug vCPUs.</summary>
    Task UpdateAsync(string taskId, Any resources, CancellationToken cancellationToken);

    /// <summary>The container's metrics, as the Any containerd expects, or null when none are available.</summary>
    Task<Any?> StatsAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Pauses (true) or resumes (false) the task's VM.</summary>
    Task SetPausedAsync(string taskId, bool paused, CancellationToken cancellationToken);

    /// <summary>Releases what the process holds; for the init process, everything the task holds (for a sandbox: QEMU
    /// stopped, devices back to their drivers).</summary>
    Task DeleteAsync(string taskId, string execId, CancellationToken cancellationToken);
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

/// <summary>An exec as containerd registers it: the OCI process (JSON in an Any) and its stdio.</summary>
public sealed record ExecCreateRequest(string TaskId, string ExecId, Any ProcessSpec, TaskIo Io, ITaskExitSink Exits);

/// <summary>The stdio of a process as containerd passed it (fifo paths; empty = none).</summary>
public sealed record TaskIo(string Stdin, string Stdout, string Stderr, bool Terminal);

/// <summary>The result of a create: the pid containerd shows (Kata returns the hypervisor's).</summary>
public sealed record SandboxCreated(uint Pid);

/// <summary>The pipeline reports a process's exit and OOM kills here (the Task service completes waiters and publishes events).</summary>
public interface ITaskExitSink
{
    /// <param name="execId">"" for the init process.</param>
    void ReportExit(string taskId, string execId, uint exitStatus, DateTimeOffset exitedAt);

    /// <summary>The guest's OOM killer hit a process of <paramref name="containerId"/> (published as /tasks/oom).</summary>
    void ReportOom(string containerId);
}
