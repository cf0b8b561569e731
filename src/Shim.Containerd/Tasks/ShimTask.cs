using System.Collections.Concurrent;
using Shim.Containerd.Protos.Types;

namespace Shim.Containerd.Tasks;

/// <summary>
/// One process's containerd-facing state: a task's init process (<see cref="ExecId"/> "") or one of its execs.
/// Mutated under its own lock; exit is a one-shot completion that any number of <c>Wait</c>s await.
/// </summary>
public sealed class ShimTask(string id, string bundle, TaskIo io, string execId = "")
{
    private readonly TaskCompletionSource<TaskExitInfo> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public string ExecId { get; } = execId;
    public string Bundle { get; } = bundle;
    public TaskIo Io { get; } = io;
    public Lock Gate { get; } = new();

    public Status Status { get; set; } = Status.Created;
    public uint Pid { get; set; }

    /// <summary>Start is running in the pipeline; an exit reported meanwhile waits in <see cref="PendingExit"/>.</summary>
    public bool StartInFlight { get; set; }

    /// <summary>An exit that arrived while Start was in flight (published after TaskStart).</summary>
    public TaskExitInfo? PendingExit { get; set; }

    /// <summary>The init process's execs, by exec id (empty on an exec).</summary>
    public ConcurrentDictionary<string, ShimTask> Execs { get; } = new(StringComparer.Ordinal);

    /// <summary>Completes once, with the exit status and time, when the process stops.</summary>
    public Task<TaskExitInfo> Exited => exited.Task;

    /// <summary>Marks the process stopped; false if it already was (the first exit wins).</summary>
    public bool TryMarkExited(TaskExitInfo exit)
    {
        lock (Gate)
        {
            if (Status == Status.Stopped)
            {
                return false;
            }
            Status = Status.Stopped;
        }
        exited.TrySetResult(exit);
        return true;
    }
}

/// <summary>How a process ended.</summary>
public sealed record TaskExitInfo(uint ExitStatus, DateTimeOffset ExitedAt);
