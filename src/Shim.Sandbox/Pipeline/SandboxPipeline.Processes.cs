using Microsoft.Extensions.Logging;
using Shim.Containerd.Tasks;
using Shim.Agent;
using Shim.Sandbox.Containers;
using Shim.Sandbox.Guest;
using Shim.Ttrpc;

namespace Shim.Sandbox.Pipeline;

// The Task RPCs on a created container: processes through the agent, resources through QMP and the agent.
public sealed partial class SandboxPipeline
{
    private TaskContainer Find(string taskId) =>
        _containers.TryGetValue(taskId, out var found)
            ? found
            : throw new TtrpcException(StatusCode.NotFound, $"container {taskId} is not running in this shim's sandbox");

    private static SandboxGuest GuestOf(TaskContainer task) =>
        task.Sandbox.Guest ?? throw new TtrpcException(StatusCode.FailedPrecondition, $"sandbox {task.Sandbox.SandboxId} is being torn down");

    public async Task<uint> StartAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        var guest = GuestOf(task);
        var container = task.Container;
        if (execId.Length == 0)
        {
            await guest.Agent.StartContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
            container.Init.Begin(guest.Agent, logger, guest.Lifetime);
            logger.LogInformation("container {Id}: started", container.Id);
        }
        else
        {
            if (!container.Execs.TryGetValue(execId, out var exec))
            {
                throw new TtrpcException(StatusCode.NotFound, $"exec {execId} of container {taskId} not found");
            }
            var request = new Shim.Agent.Protocol.ExecProcessRequest { ContainerId = container.Id, ExecId = execId, Process = exec.Process };
            await guest.Agent.ExecProcessAsync(request, cancellationToken).ConfigureAwait(false);
            exec.Run.Begin(guest.Agent, logger, guest.Lifetime);
            logger.LogInformation("container {Id}: exec {Exec} started: {Args}", container.Id, execId, string.Join(' ', exec.Process.Args));
        }
        // Every process runs inside the VM; containerd is given the hypervisor's pid, as Kata does.
        return (uint)(task.Sandbox.Qemu?.Pid ?? 0);
    }

    public Task ExecAsync(ExecCreateRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.TaskId);
        var process = ExecProcessSpec.FromAny(request.ProcessSpec);
        process.Terminal = request.Io.Terminal;
        var run = new GuestProcessRun(request.TaskId, request.ExecId, task.Container.Id, request.Io, request.Exits);
        if (!task.Container.Execs.TryAdd(request.ExecId, (run, process)))
        {
            throw new TtrpcException(StatusCode.AlreadyExists, $"exec {request.ExecId} of container {request.TaskId} already exists");
        }
        return Task.CompletedTask;
    }

    public async Task KillAsync(string taskId, string execId, uint signal, bool all, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        var guest = GuestOf(task);
        // Kata: the init process is addressed with exec id "" (SIGKILL then reaches every process of the container).
        try
        {
            await guest.Agent.SignalProcessAsync(task.Container.Id, execId, signal, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentException ex) when (ex.Code == StatusCode.NotFound)
        {
            logger.LogInformation("kill {Id}/{Exec} signal {Signal}: already gone ({Error})", taskId, execId, signal, ex.AgentMessage);
        }
    }

    public async Task ResizePtyAsync(string taskId, string execId, uint width, uint height, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        var run = task.Container.Find(execId);
        try
        {
            await GuestOf(task).Agent.TtyWinResizeAsync(task.Container.Id, run.AgentExecId, rows: height, columns: width, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentException ex) when (ex.Code == StatusCode.NotFound)
        {
            // ctr resizes once more after a short process already exited: there is no terminal left to size.
            logger.LogDebug("resize {Id}/{Exec}: process already gone ({Error})", taskId, execId, ex.AgentMessage);
        }
    }

    public Task CloseStdinAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        if (_containers.TryGetValue(taskId, out var task)) task.Container.Find(execId).CloseStdin();
        return Task.CompletedTask;
    }

    public async Task UpdateAsync(string taskId, Google.Protobuf.WellKnownTypes.Any resources, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        var guest = GuestOf(task);
        var update = ContainerResources.FromAny(resources);
        await guest.UpdateGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            guest.RequestedVcpus[task.Container.Id] = update.RequiredVcpus;
            await ResizeVcpusAsync(task.Sandbox, guest, cancellationToken).ConfigureAwait(false);
            await guest.Agent.UpdateContainerAsync(task.Container.Id, update.Resources, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            guest.UpdateGate.Release();
        }
    }

    // Kata sizes the VM to default_vcpus + the sum of the containers' CPU limits, capped at maxcpus; vCPUs are only
    // added (QEMU 7.2 under TCG cannot add after a removal), and the guest is told the new total (OnlineCPUMem).
    private async Task ResizeVcpusAsync(SandboxResources sandbox, SandboxGuest guest, CancellationToken cancellationToken)
    {
        var qemu = sandbox.Qemu!;
        var wanted = qemu.Spec.Smp.Cpus + (int)guest.RequestedVcpus.Values.Sum(v => (long)v);
        var target = Math.Min(wanted, qemu.Spec.Smp.MaxCpus);
        if (target < wanted)
        {
            logger.LogWarning("sandbox {Id}: CPU limits ask for {Wanted} vCPUs; capped at maxcpus {Max} (raise default_maxvcpus)", sandbox.SandboxId, wanted, target);
        }
        var missing = target - guest.Vcpus.PresentCount;
        if (missing <= 0) return;
        var result = await guest.Vcpus.AddAsync(missing, VcpuOnlineDeadline, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("sandbox {Id}: vCPU hot-plug: {Summary}", sandbox.SandboxId, result.Summary);
        if (result.Added.Count == 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"sandbox {sandbox.SandboxId}: no vCPU could be added ({result.Summary})");
        }
        await guest.Agent.OnlineCPUMemAsync(new Shim.Agent.Protocol.OnlineCPUMemRequest { NbCpus = (uint)guest.Vcpus.PresentCount, CpuOnly = true }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Google.Protobuf.WellKnownTypes.Any?> StatsAsync(string taskId, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        var stats = await GuestOf(task).Agent.StatsContainerAsync(task.Container.Id, cancellationToken).ConfigureAwait(false);
        return CgroupMetrics.ToAny(stats);
    }

    public async Task SetPausedAsync(string taskId, bool paused, CancellationToken cancellationToken)
    {
        var task = Find(taskId);
        if (task.Sandbox.SandboxId != taskId)
        {
            throw new TtrpcException(StatusCode.Unimplemented, $"{(paused ? "Pause" : "Resume")} (task {taskId}): kataplug pauses whole sandboxes; pause the sandbox {task.Sandbox.SandboxId}");
        }
        await task.Sandbox.Qemu!.Qmp.ExecuteAsync(paused ? "stop" : "cont", null, QmpCommandDeadline, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("sandbox {Id}: VM {State}", taskId, paused ? "paused" : "resumed");
    }
}
