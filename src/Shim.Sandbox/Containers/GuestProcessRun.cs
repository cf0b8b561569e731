using Microsoft.Extensions.Logging;
using Shim.Agent;
using Shim.Containerd.Tasks;

namespace Shim.Sandbox.Containers;

/// <summary>
/// One process inside the guest as containerd knows it: its stdio pump and the watcher that reports its exit.
/// The exit is taken from <c>WaitProcess</c> only after stdout and stderr reached EOF (Kata's order, §3.6), so
/// containerd has every byte before it sees the exit; <c>exited_at</c> is when the agent answered.
/// </summary>
public sealed class GuestProcessRun(string taskId, string execId, string containerId, TaskIo io, ITaskExitSink exits)
{
    /// <summary>Exit status when the agent cannot say (connection lost): Kata reports 255 too.</summary>
    public const uint UnknownExitStatus = 255;

    private ProcessStdioPump? pump;

    public string TaskId { get; } = taskId;

    /// <summary>containerd's exec id ("" = the init process).</summary>
    public string ExecId { get; } = execId;

    public string ContainerId { get; } = containerId;

    /// <summary>The agent's name for the process: the container id for the init process, else the exec id.</summary>
    public string AgentExecId => ExecId.Length == 0 ? ContainerId : ExecId;

    public TaskIo Io { get; } = io;

    /// <summary>Call right after the agent started the process (StartContainer / ExecProcess).</summary>
    public void Begin(AgentClient agent, ILogger logger, CancellationToken sandboxLifetime)
    {
        var started = ProcessStdioPump.Start(agent, ContainerId, AgentExecId, Io, logger);
        pump = started;
        // The sandbox ending (teardown, or the VM dying) ends the copy loops, so the exit is reported either way.
        sandboxLifetime.Register(started.Abort);
        _ = WatchAsync(agent, started, logger, sandboxLifetime); // reports the exit to the sink; never throws
    }

    public void CloseStdin() => pump?.CloseStdin();

    public void Abort() => pump?.Abort();

    private async Task WatchAsync(AgentClient agent, ProcessStdioPump running, ILogger logger, CancellationToken sandboxLifetime)
    {
        uint status;
        try
        {
            var bytes = await running.OutputDone.ConfigureAwait(false);
            status = (uint)await agent.WaitProcessAsync(ContainerId, AgentExecId, sandboxLifetime).ConfigureAwait(false);
            logger.LogInformation("process {Container}/{Exec} exited with {Status} ({Out} bytes out, {Err} bytes err)",
                ContainerId, AgentExecId, status, bytes[0], bytes.Length > 1 ? bytes[1] : 0);
        }
        catch (Exception ex) when (ex is AgentException or OperationCanceledException)
        {
            status = UnknownExitStatus;
            logger.LogWarning("process {Container}/{Exec}: no exit status from the agent ({Error}); reporting {Status}", ContainerId, AgentExecId, ex.Message, status);
            running.Abort();
        }
        exits.ReportExit(TaskId, ExecId, status, DateTimeOffset.UtcNow);
    }
}
