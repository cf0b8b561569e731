using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Events;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.Task;
using Shim.Containerd.Protos.Types;
using Shim.Ttrpc;
using TaskStatus = Shim.Containerd.Protos.Types.Status;

namespace Shim.Containerd.Tasks;

/// <summary>
/// <c>containerd.task.v2.Task</c>: the 17 RPCs with the semantics containerd 1.6 relies on (containerd-shim-v2.md
/// §8.3). One daemon may serve several task ids (a pod); it asks to exit only when <c>Shutdown</c> finds no task
/// left (or <c>now</c>). Side effects go through <see cref="ISandboxPipeline"/>; events through <see cref="IEventPublisher"/>.
/// </summary>
public sealed class TaskService : ITaskExitSink
{
    public const string Version = "kataplug-0.1";

    private readonly ConcurrentDictionary<string, ShimTask?> tasks = new(StringComparer.Ordinal);
    private readonly ISandboxPipeline pipeline;
    private readonly IEventPublisher events;
    private readonly ILogger logger;
    private readonly string ns;
    private readonly string? fallbackConfigPath;
    private readonly TaskCompletionSource shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="ns">The -namespace flag.</param>
    /// <param name="fallbackConfigPath">config_path from start's stdin, used when Create carries no options.</param>
    public TaskService(string ns, ISandboxPipeline pipeline, IEventPublisher events, ILogger logger, string? fallbackConfigPath = null)
    {
        this.ns = ns;
        this.pipeline = pipeline;
        this.events = events;
        this.logger = logger;
        this.fallbackConfigPath = fallbackConfigPath;
    }

    /// <summary>Completes when the daemon should exit (Shutdown with no task left, or now=true).</summary>
    public Task ShutdownRequested => shutdown.Task;

    /// <summary>Task ids currently known (including ones being created).</summary>
    public int TaskCount => tasks.Count;

    /// <summary>Registers all 17 methods on <paramref name="server"/>.</summary>
    public void Register(TtrpcServer server)
    {
        const string s = TaskServiceNames.Service;
        server.Register(s, TaskServiceNames.State, StateRequest.Parser, (r, c) => Guard(c, () => StateAsync(r)));
        server.Register(s, TaskServiceNames.Create, CreateTaskRequest.Parser, (r, c) => Guard(c, () => CreateAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Start, StartRequest.Parser, (r, c) => Guard(c, () => StartAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Delete, DeleteRequest.Parser, (r, c) => Guard(c, () => DeleteAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Pids, PidsRequest.Parser, (r, c) => Guard(c, () => PidsAsync(r)));
        server.Register(s, TaskServiceNames.Pause, PauseRequest.Parser, (r, c) => Guard(c, () => SetPausedAsync(r.Id, true, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Resume, ResumeRequest.Parser, (r, c) => Guard(c, () => SetPausedAsync(r.Id, false, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Checkpoint, CheckpointTaskRequest.Parser, (r, c) => Guard(c, () => Unsupported<Empty>(TaskServiceNames.Checkpoint, r.Id, "checkpointing a VM sandbox")));
        server.Register(s, TaskServiceNames.Kill, KillRequest.Parser, (r, c) => Guard(c, () => KillAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Exec, ExecProcessRequest.Parser, (r, c) => Guard(c, () => ExecAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.ResizePty, ResizePtyRequest.Parser, (r, c) => Guard(c, () => ResizePtyAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.CloseIO, CloseIORequest.Parser, (r, c) => Guard(c, () => CloseIOAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Update, UpdateTaskRequest.Parser, (r, c) => Guard(c, () => UpdateAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Wait, WaitRequest.Parser, (r, c) => Guard(c, () => WaitAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Stats, StatsRequest.Parser, (r, c) => Guard(c, () => StatsAsync(r, c.CancellationToken)));
        server.Register(s, TaskServiceNames.Connect, ConnectRequest.Parser, (r, c) => Guard(c, () => ConnectAsync(r)));
        server.Register(s, TaskServiceNames.Shutdown, ShutdownRequest.Parser, (r, c) => Guard(c, () => ShutdownAsync(r)));
    }

    public Task<StateResponse> StateAsync(StateRequest request)
    {
        var task = Find(request.Id, request.ExecId);
        lock (task.Gate)
        {
            var response = new StateResponse
            {
                Id = task.Id,
                ExecId = task.ExecId,
                Bundle = task.Bundle,
                Pid = task.Pid,
                Status = task.Status,
                Stdin = task.Io.Stdin,
                Stdout = task.Io.Stdout,
                Stderr = task.Io.Stderr,
                Terminal = task.Io.Terminal,
            };
            if (task.Exited.IsCompletedSuccessfully)
            {
                var exit = task.Exited.Result;
                response.ExitStatus = exit.ExitStatus;
                response.ExitedAt = Timestamp.FromDateTimeOffset(exit.ExitedAt);
            }
            return Task.FromResult(response);
        }
    }

    public async Task<CreateTaskResponse> CreateAsync(CreateTaskRequest request, CancellationToken cancellationToken)
    {
        if (!ContainerdIdentifier.IsValid(request.Id))
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"task id '{request.Id}' is not a valid containerd identifier");
        }
        if (string.IsNullOrEmpty(request.Bundle))
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"task {request.Id}: bundle path is empty");
        }
        // A null placeholder reserves the id while the (possibly long) pipeline runs.
        if (!tasks.TryAdd(request.Id, null))
        {
            throw new TtrpcException(StatusCode.AlreadyExists, $"task {request.Id} already exists");
        }
        var io = new TaskIo(request.Stdin, request.Stdout, request.Stderr, request.Terminal);
        try
        {
            var spec = BundleSpec.Load(request.Bundle);
            var created = await pipeline.CreateAsync(
                new SandboxCreateRequest(
                    request.Id, ns, request.Bundle, spec, spec.DaemonOwnerId(request.Id),
                    RuntimeOptionsReader.ConfigPath(request.Options) ?? fallbackConfigPath,
                    [.. request.Rootfs], io, this),
                cancellationToken).ConfigureAwait(false);
            var task = new ShimTask(request.Id, request.Bundle, io) { Pid = created.Pid };
            tasks[request.Id] = task;
            logger.LogInformation("task {Id} created with pid {Pid}", request.Id, created.Pid);
            var evt = new TaskCreate
            {
                ContainerId = request.Id,
                Bundle = request.Bundle,
                Io = new Protos.Events.TaskIO { Stdin = io.Stdin, Stdout = io.Stdout, Stderr = io.Stderr, Terminal = io.Terminal },
                Checkpoint = request.Checkpoint,
                Pid = created.Pid,
            };
            evt.Rootfs.AddRange(request.Rootfs);
            events.Publish(TaskEventTopics.Create, evt);
            return new CreateTaskResponse { Pid = created.Pid };
        }
        catch
        {
            tasks.TryRemove(request.Id, out _);
            throw;
        }
    }

    public async Task<StartResponse> StartAsync(StartRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        lock (task.Gate)
        {
            if (task.Status != TaskStatus.Created || task.StartInFlight)
            {
                throw new TtrpcException(StatusCode.FailedPrecondition, $"{Describe(task)} is {Describe(task.Status)}; only a created process can be started");
            }
            task.StartInFlight = true;
        }
        uint pid;
        try
        {
            pid = await pipeline.StartAsync(task.Id, task.ExecId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (task.Gate)
            {
                task.StartInFlight = false;
            }
            throw;
        }
        TaskExitInfo? earlyExit;
        lock (task.Gate)
        {
            task.StartInFlight = false;
            task.Pid = pid;
            if (task.Status == TaskStatus.Created)
            {
                task.Status = TaskStatus.Running;
            }
            earlyExit = task.PendingExit;
            task.PendingExit = null;
        }
        // Enqueued before the reply, and the queue is ordered: TaskStart precedes any TaskExit (§8.3); an exit the
        // pipeline reported while Start was in flight is published only now.
        if (task.ExecId.Length == 0)
        {
            events.Publish(TaskEventTopics.Start, new TaskStart { ContainerId = task.Id, Pid = pid });
        }
        else
        {
            events.Publish(TaskEventTopics.ExecStarted, new TaskExecStarted { ContainerId = task.Id, ExecId = task.ExecId, Pid = pid });
        }
        if (earlyExit is not null)
        {
            CompleteExit(task, earlyExit);
        }
        return new StartResponse { Pid = pid };
    }

    public async Task<Protos.Task.DeleteResponse> DeleteAsync(Protos.Task.DeleteRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        lock (task.Gate)
        {
            if (task.Status is TaskStatus.Running or TaskStatus.Paused or TaskStatus.Pausing || task.StartInFlight)
            {
                throw new TtrpcException(StatusCode.FailedPrecondition, $"{Describe(task)} is {Describe(task.Status)}: kill it before deleting it");
            }
        }
        // Never started: nothing ran, so it "exits" now with status 0 and any Wait returns.
        task.TryMarkExited(new TaskExitInfo(0, DateTimeOffset.UtcNow));
        await pipeline.DeleteAsync(task.Id, task.ExecId, cancellationToken).ConfigureAwait(false);
        var exit = await task.Exited.ConfigureAwait(false);
        var exitedAt = Timestamp.FromDateTimeOffset(exit.ExitedAt);
        if (task.ExecId.Length > 0)
        {
            // Like runc's shim: execs leave no /tasks/delete event.
            Find(task.Id, "").Execs.TryRemove(task.ExecId, out _);
        }
        else
        {
            tasks.TryRemove(task.Id, out _);
            events.Publish(TaskEventTopics.Delete, new TaskDelete { ContainerId = task.Id, Pid = task.Pid, ExitStatus = exit.ExitStatus, ExitedAt = exitedAt });
        }
        logger.LogInformation("{Process} deleted, exit status {ExitStatus}", Describe(task), exit.ExitStatus);
        return new Protos.Task.DeleteResponse { Pid = task.Pid, ExitStatus = exit.ExitStatus, ExitedAt = exitedAt };
    }

    public Task<PidsResponse> PidsAsync(PidsRequest request)
    {
        var task = Find(request.Id, "");
        var response = new PidsResponse();
        // Every process runs inside the VM; containerd sees the hypervisor's pid, as with Kata.
        if (task.Pid != 0)
        {
            response.Processes.Add(new ProcessInfo { Pid = task.Pid });
        }
        return Task.FromResult(response);
    }

    public async Task<Empty> ExecAsync(ExecProcessRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, "");
        if (string.IsNullOrEmpty(request.ExecId))
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"exec in task {task.Id}: exec id is empty");
        }
        lock (task.Gate)
        {
            if (task.Status is not (TaskStatus.Running or TaskStatus.Created))
            {
                throw new TtrpcException(StatusCode.FailedPrecondition, $"cannot exec in task {task.Id}: it is {Describe(task.Status)}");
            }
        }
        var io = new TaskIo(request.Stdin, request.Stdout, request.Stderr, request.Terminal);
        var exec = new ShimTask(task.Id, task.Bundle, io, request.ExecId) { Pid = task.Pid };
        if (!task.Execs.TryAdd(request.ExecId, exec))
        {
            throw new TtrpcException(StatusCode.AlreadyExists, $"exec {request.ExecId} of task {task.Id} already exists");
        }
        try
        {
            await pipeline.ExecAsync(new ExecCreateRequest(task.Id, request.ExecId, request.Spec ?? new Any(), io, this), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            task.Execs.TryRemove(request.ExecId, out _);
            throw;
        }
        events.Publish(TaskEventTopics.ExecAdded, new TaskExecAdded { ContainerId = task.Id, ExecId = request.ExecId });
        return new Empty();
    }

    public async Task<Empty> KillAsync(KillRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        TaskStatus status;
        bool startInFlight;
        lock (task.Gate)
        {
            status = task.Status;
            startInFlight = task.StartInFlight;
        }
        switch (status)
        {
            case TaskStatus.Stopped:
                return new Empty(); // idempotent: CRI StopPodSandbox repeats kills
            case TaskStatus.Created when !startInFlight:
                // Nothing runs yet; the kill ends the process as runc's would end a blocked init (128 + signal).
                ReportExit(task.Id, task.ExecId, 128 + request.Signal, DateTimeOffset.UtcNow);
                return new Empty();
            default:
                await pipeline.KillAsync(task.Id, task.ExecId, request.Signal, request.All, cancellationToken).ConfigureAwait(false);
                return new Empty();
        }
    }

    public async Task<Empty> ResizePtyAsync(ResizePtyRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        if (!task.Io.Terminal)
        {
            throw new TtrpcException(StatusCode.FailedPrecondition, $"{Describe(task)} has no terminal to resize; run it with a tty (ctr -t)");
        }
        if (task.Status != TaskStatus.Stopped) // a late resize of an exited process is harmless, not an error
        {
            await pipeline.ResizePtyAsync(task.Id, task.ExecId, request.Width, request.Height, cancellationToken).ConfigureAwait(false);
        }
        return new Empty();
    }

    public async Task<Empty> CloseIOAsync(CloseIORequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        if (request.Stdin && task.Status != TaskStatus.Stopped)
        {
            await pipeline.CloseStdinAsync(task.Id, task.ExecId, cancellationToken).ConfigureAwait(false);
        }
        return new Empty();
    }

    public async Task<Empty> UpdateAsync(UpdateTaskRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, "");
        if (request.Resources is null)
        {
            throw new TtrpcException(StatusCode.InvalidArgument, $"update of task {task.Id}: no resources given");
        }
        await pipeline.UpdateAsync(task.Id, request.Resources, cancellationToken).ConfigureAwait(false);
        return new Empty();
    }

    public async Task<StatsResponse> StatsAsync(StatsRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, "");
        var stats = await pipeline.StatsAsync(task.Id, cancellationToken).ConfigureAwait(false);
        return stats is null ? new StatsResponse() : new StatsResponse { Stats = stats };
    }

    public async Task<Empty> SetPausedAsync(string id, bool paused, CancellationToken cancellationToken)
    {
        var task = Find(id, "");
        lock (task.Gate)
        {
            var expected = paused ? TaskStatus.Running : TaskStatus.Paused;
            if (task.Status != expected)
            {
                throw new TtrpcException(StatusCode.FailedPrecondition, $"cannot {(paused ? "pause" : "resume")} task {id}: it is {Describe(task.Status)}");
            }
            if (paused) task.Status = TaskStatus.Pausing;
        }
        try
        {
            await pipeline.SetPausedAsync(id, paused, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (task.Gate)
            {
                if (task.Status == TaskStatus.Pausing) task.Status = TaskStatus.Running;
            }
            throw;
        }
        lock (task.Gate)
        {
            if (task.Status != TaskStatus.Stopped) task.Status = paused ? TaskStatus.Paused : TaskStatus.Running;
        }
        if (paused) events.Publish(TaskEventTopics.Paused, new TaskPaused { ContainerId = id });
        else events.Publish(TaskEventTopics.Resumed, new TaskResumed { ContainerId = id });
        return new Empty();
    }

    public async Task<WaitResponse> WaitAsync(WaitRequest request, CancellationToken cancellationToken)
    {
        var task = Find(request.Id, request.ExecId);
        // No deadline of our own: Wait may block for the life of the task (§7); the connection closing cancels it.
        var exit = await task.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new WaitResponse { ExitStatus = exit.ExitStatus, ExitedAt = Timestamp.FromDateTimeOffset(exit.ExitedAt) };
    }

    public Task<ConnectResponse> ConnectAsync(ConnectRequest request)
    {
        var task = Find(request.Id, "");
        return Task.FromResult(new ConnectResponse { ShimPid = (uint)Environment.ProcessId, TaskPid = task.Pid, Version = Version });
    }

    public Task<Empty> ShutdownAsync(ShutdownRequest request)
    {
        if (request.Now || tasks.IsEmpty)
        {
            logger.LogInformation("shutdown requested by {Id} (now={Now}); no task left", request.Id, request.Now);
            shutdown.TrySetResult();
        }
        return Task.FromResult(new Empty());
    }

    /// <summary>The pipeline (or a created process's kill) reports an exit: waiters return, /tasks/exit is published once.</summary>
    public void ReportExit(string taskId, string execId, uint exitStatus, DateTimeOffset exitedAt)
    {
        ShimTask? task = null;
        if (tasks.TryGetValue(taskId, out var init) && init is not null)
        {
            task = execId.Length == 0 ? init : init.Execs.GetValueOrDefault(execId);
        }
        if (task is null)
        {
            logger.LogWarning("exit {ExitStatus} reported for unknown process {Id}/{ExecId}", exitStatus, taskId, execId);
            return;
        }
        var exit = new TaskExitInfo(exitStatus, exitedAt);
        lock (task.Gate)
        {
            if (task.StartInFlight)
            {
                task.PendingExit ??= exit; // published by StartAsync right after TaskStart
                return;
            }
        }
        CompleteExit(task, exit);
    }

    public void ReportOom(string containerId)
    {
        logger.LogWarning("container {Id}: the guest's OOM killer killed one of its processes", containerId);
        events.Publish(TaskEventTopics.Oom, new TaskOOM { ContainerId = containerId });
    }

    private void CompleteExit(ShimTask task, TaskExitInfo exit)
    {
        if (task.TryMarkExited(exit))
        {
            logger.LogInformation("{Process} exited with status {ExitStatus}", Describe(task), exit.ExitStatus);
            events.Publish(TaskEventTopics.Exit, new TaskExit
            {
                ContainerId = task.Id,
                Id = task.ExecId.Length == 0 ? task.Id : task.ExecId,
                Pid = task.Pid,
                ExitStatus = exit.ExitStatus,
                ExitedAt = Timestamp.FromDateTimeOffset(exit.ExitedAt),
            });
        }
    }

    private ShimTask Find(string id, string execId)
    {
        if (!tasks.TryGetValue(id, out var task) || task is null)
        {
            throw new TtrpcException(StatusCode.NotFound, $"task {id} not found");
        }
        if (string.IsNullOrEmpty(execId))
        {
            return task;
        }
        return task.Execs.TryGetValue(execId, out var exec)
            ? exec
            : throw new TtrpcException(StatusCode.NotFound, $"exec {execId} of task {id} not found");
    }

    private Task<T> Unsupported<T>(string method, string id, string what) =>
        throw new TtrpcException(StatusCode.Unimplemented, $"{method} (task {id}): {what} is not supported by kataplug");

    private static string Describe(TaskStatus status) => status.ToString().ToLowerInvariant();

    private static string Describe(ShimTask task) => task.ExecId.Length == 0 ? $"task {task.Id}" : $"exec {task.ExecId} of task {task.Id}";

    // Maps domain failures to the codes containerd understands (ttrpc.md §5) and logs every failed call.
    private async Task<T> Guard<T>(TtrpcCallContext context, Func<Task<T>> call)
    {
        logger.LogDebug("rpc {Method} (stream {Stream}, deadline {Deadline})", context.Method, context.StreamId, context.Deadline?.ToString("O") ?? "none");
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (TtrpcException ex)
        {
            if (ex.Code != StatusCode.NotFound)
            {
                // The time from the request frame's arrival: what "refused N ms after Create arrives" means.
                logger.LogWarning("{Method} failed {Ms:0.0} ms after the request arrived: {Error}", context.Method, context.SinceArrival.TotalMilliseconds, ex.StatusMessage);
            }
            throw;
        }
        catch (ConfigurationException ex)
        {
            logger.LogError("{Method} failed: {Error}", context.Method, ex.Message);
            throw new TtrpcException(StatusCode.InvalidArgument, ex.Message, ex);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Method} failed", context.Method);
            throw new TtrpcException(StatusCode.Internal, $"{context.Method}: {ex.Message}", ex);
        }
    }
}
