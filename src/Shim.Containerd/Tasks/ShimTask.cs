using Shim.Containerd.Protos.Types;

namespace Shim.Containerd.Tasks;

/// <summary>
/// One task's containerd-facing state (its init process). Mutated under its own lock; exit is a one-shot
/// completion that any number of <c>Wait</c>s await.
/// </summary>
public sealed class ShimTask(string id, string bundle, TaskIo io)
{
    private readonly TaskCompletionSource<TaskExitInfo> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public string Bundle { get; } = bundle;
    public TaskIo Io { get; } = io;
    public Lock Gate { get; } = new();

    public Status Status { get; set; } = Status.Created;
    public uint Pid { get; set; }

    /// <summary>Completes once, with the exit status and time, when the task stops.</summary>
    public Task<TaskExitInfo> Exited => exited.Task;

    /// <summary>Marks the task stopped; false if it already was (the first exit wins).</summary>
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

/// <summary>How a task ended.</summary>
public sealed record TaskExitInfo(uint ExitStatus, DateTimeOffset ExitedAt);
