using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Shim.Configuration;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.Task;
using Shim.Containerd.Tasks;
using Shim.Ttrpc;
using TaskStatus = Shim.Containerd.Protos.Types.Status;

namespace Shim.Containerd.Tests;

/// <summary>The Task service over a real ttrpc connection, as containerd calls it (containerd-shim-v2.md §8.3, §10.1).</summary>
public sealed class TaskServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempSocket socket = new();
    private readonly FakePipeline pipeline = new();
    private readonly RecordingPublisher events = new();
    private TaskService service = null!;
    private TtrpcServer server = null!;
    private TtrpcClient client = null!;
    private string bundle = "";

    public async Task InitializeAsync()
    {
        bundle = Path.Combine(socket.Directory_, "bundle");
        Directory.CreateDirectory(bundle);
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), """{"annotations":{"a":"b"}}""");
        service = new TaskService("ns1", pipeline, events, NullLogger.Instance, fallbackConfigPath: "/from/stdin.toml");
        server = new TtrpcServer();
        service.Register(server);
        server.Listen(socket.Path);
        client = await TtrpcClient.ConnectAsync(socket.Path, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
        socket.Dispose();
    }

    private Task<TResponse> Call<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser)
        where TRequest : IMessage where TResponse : IMessage<TResponse> =>
        client.CallAsync(TaskServiceNames.Service, method, request, parser, Patience, CancellationToken.None);

    private async Task<TtrpcException> Fails<TRequest, TResponse>(string method, TRequest request, MessageParser<TResponse> parser)
        where TRequest : IMessage where TResponse : IMessage<TResponse> =>
        await Should.ThrowAsync<TtrpcException>(() => Call(method, request, parser));

    private Task<CreateTaskResponse> Create(string id, Any? options = null) =>
        Call(TaskServiceNames.Create, new CreateTaskRequest { Id = id, Bundle = bundle, Stdout = "/fifo/out", Options = options }, CreateTaskResponse.Parser);

    [Fact]
    public async Task Create_ReturnsThePipelinesPid_StateSaysCreated_AndTaskCreateIsPublished()
    {
        (await Create("t1")).Pid.ShouldBe(4242u);
        var state = await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser);
        state.Status.ShouldBe(TaskStatus.Created);
        state.Pid.ShouldBe(4242u);
        state.Bundle.ShouldBe(bundle);
        state.Stdout.ShouldBe("/fifo/out");
        events.Topics.ShouldBe([TaskEventTopics.Create]);
        var created = events.Events[0].Message.ShouldBeOfType<TaskCreate>();
        created.ContainerId.ShouldBe("t1");
        created.Pid.ShouldBe(4242u);
        pipeline.Creates.Single().Spec.Annotations["a"].ShouldBe("b");
        pipeline.Creates.Single().IsSandbox.ShouldBeTrue();
    }

    [Fact]
    public async Task Create_TakesConfigPathFromOptions_BareOrPrefixed_ElseFromStartsStdin()
    {
        var options = new Protos.RuntimeOptions.Options { ConfigPath = "/etc/kataplug/x.toml" };
        await Create("a", ContainerdAny.Pack(options));
        await Create("b", new Any { TypeUrl = "type.googleapis.com/runtimeoptions.v1.Options", Value = options.ToByteString() });
        await Create("c");
        pipeline.Creates.Select(c => c.RuntimeConfigPath).ShouldBe(["/etc/kataplug/x.toml", "/etc/kataplug/x.toml", "/from/stdin.toml"]);
    }

    [Fact]
    public async Task Create_Twice_IsAlreadyExists_AndAnInvalidIdIsInvalidArgument()
    {
        await Create("t1");
        (await Fails(TaskServiceNames.Create, new CreateTaskRequest { Id = "t1", Bundle = bundle }, CreateTaskResponse.Parser)).Code.ShouldBe(StatusCode.AlreadyExists);
        (await Fails(TaskServiceNames.Create, new CreateTaskRequest { Id = "../x", Bundle = bundle }, CreateTaskResponse.Parser)).Code.ShouldBe(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Create_ConfigurationProblem_IsInvalidArgument_WithTheText_AndLeavesNoTask()
    {
        pipeline.CreateFailure = new ConfigurationException([new ConfigurationProblem(ValueOrigin.WholeFile("/x.toml"), "", "", null, "file not found")]);
        var error = await Fails(TaskServiceNames.Create, new CreateTaskRequest { Id = "t1", Bundle = bundle }, CreateTaskResponse.Parser);
        error.Code.ShouldBe(StatusCode.InvalidArgument);
        error.StatusMessage.ShouldContain("file not found");
        (await Fails(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Code.ShouldBe(StatusCode.NotFound);
        events.Topics.ShouldBeEmpty();
        service.TaskCount.ShouldBe(0);
    }

    [Fact]
    public async Task Create_PastItsTimeoutNano_IsDeadlineExceeded_AndTheIdIsFreedForARetry()
    {
        pipeline.CreateGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // never opened
        var error = await Should.ThrowAsync<TtrpcException>(() => client.CallAsync(TaskServiceNames.Service, TaskServiceNames.Create,
            new CreateTaskRequest { Id = "t1", Bundle = bundle }, CreateTaskResponse.Parser, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        error.Code.ShouldBe(StatusCode.DeadlineExceeded);
        // The server cancelled the pipeline with the same deadline and released the reservation.
        await Shim.HostPci.BoundedPoll.UntilAsync(() => service.TaskCount == 0, Patience, () => "t1 still reserved", CancellationToken.None);
        pipeline.CreateGate = null;
        (await Create("t1")).Pid.ShouldBe(4242u);
    }

    [Fact]
    public async Task Start_RefusedByThePipeline_KeepsTheCodeAndMessage_AndTheTaskStaysCreated()
    {
        const string refusal = "agent grpc.AgentService/StartContainer failed: status 13 Internal: no such file";
        pipeline.StartFailure = new TtrpcException(StatusCode.FailedPrecondition, refusal);
        await Create("t1");
        var error = await Fails(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        error.Code.ShouldBe(StatusCode.FailedPrecondition);
        error.StatusMessage.ShouldBe(refusal);
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Created);
    }

    [Fact]
    public async Task Start_Runs_PublishesTaskStart_AndASecondStartIsFailedPrecondition()
    {
        await Create("t1");
        (await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser)).Pid.ShouldBe(4343u);
        var state = await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser);
        state.Status.ShouldBe(TaskStatus.Running);
        state.Pid.ShouldBe(4343u);
        events.Topics.ShouldBe([TaskEventTopics.Create, TaskEventTopics.Start]);
        (await Fails(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser)).Code.ShouldBe(StatusCode.FailedPrecondition);
    }

    [Fact]
    public async Task ManyWaiters_BlockBeforeStart_AndAllReturnTheExit_WhileStateStaysResponsive()
    {
        await Create("t1");
        var waits = Enumerable.Range(0, 5).Select(_ => Call(TaskServiceNames.Wait, new WaitRequest { Id = "t1" }, WaitResponse.Parser)).ToArray();
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        // A blocked Wait must not block State on the same connection.
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Running);
        waits.ShouldAllBe(w => !w.IsCompleted);

        var exitedAt = DateTimeOffset.UtcNow;
        service.ReportExit("t1", "", 7, exitedAt);
        var results = await Task.WhenAll(waits).WaitAsync(Patience);
        results.ShouldAllBe(r => r.ExitStatus == 7u && r.ExitedAt.ToDateTimeOffset() == exitedAt);
        // An exited task answers Wait at once with the stored status.
        (await Call(TaskServiceNames.Wait, new WaitRequest { Id = "t1" }, WaitResponse.Parser)).ExitStatus.ShouldBe(7u);
        var state = await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser);
        state.Status.ShouldBe(TaskStatus.Stopped);
        state.ExitStatus.ShouldBe(7u);
        events.Topics.ShouldBe([TaskEventTopics.Create, TaskEventTopics.Start, TaskEventTopics.Exit]);
    }

    [Fact]
    public async Task Kill_OfACreatedTask_Exits128PlusSignal_AndKillingAStoppedTaskIsOk()
    {
        await Create("t1");
        var wait = Call(TaskServiceNames.Wait, new WaitRequest { Id = "t1" }, WaitResponse.Parser);
        await Call(TaskServiceNames.Kill, new KillRequest { Id = "t1", Signal = 9 }, Empty.Parser);
        (await wait.WaitAsync(Patience)).ExitStatus.ShouldBe(137u);
        await Call(TaskServiceNames.Kill, new KillRequest { Id = "t1", Signal = 9 }, Empty.Parser);
        await Call(TaskServiceNames.Kill, new KillRequest { Id = "t1", Signal = 15, All = true }, Empty.Parser);
        events.Topics.ShouldBe([TaskEventTopics.Create, TaskEventTopics.Exit]);
        pipeline.Kills.ShouldBeEmpty();
    }

    [Fact]
    public async Task Kill_OfARunningTask_GoesToThePipeline()
    {
        await Create("t1");
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        await Call(TaskServiceNames.Kill, new KillRequest { Id = "t1", Signal = 15 }, Empty.Parser);
        pipeline.Kills.ShouldBe([("t1", 15u)]);
    }

    [Fact]
    public async Task Delete_ReturnsTheExit_PublishesExitThenDelete_AndASecondDeleteIsNotFound()
    {
        await Create("t1");
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        (await Fails(TaskServiceNames.Delete, new DeleteRequest { Id = "t1" }, DeleteResponse.Parser)).Code.ShouldBe(StatusCode.FailedPrecondition);
        service.ReportExit("t1", "", 3, DateTimeOffset.UtcNow);
        var deleted = await Call(TaskServiceNames.Delete, new DeleteRequest { Id = "t1" }, DeleteResponse.Parser);
        deleted.ExitStatus.ShouldBe(3u);
        deleted.Pid.ShouldBe(4343u);
        pipeline.Deletes.ShouldBe(["t1"]);
        events.Topics.ShouldBe([TaskEventTopics.Create, TaskEventTopics.Start, TaskEventTopics.Exit, TaskEventTopics.Delete]);
        (await Fails(TaskServiceNames.Delete, new DeleteRequest { Id = "t1" }, DeleteResponse.Parser)).Code.ShouldBe(StatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_OfANeverStartedTask_ReleasesItsWaiters()
    {
        await Create("t1");
        // Called directly so the waiter is registered before Delete is sent (ttrpc runs requests concurrently).
        var wait = service.WaitAsync(new WaitRequest { Id = "t1" }, CancellationToken.None);
        await Call(TaskServiceNames.Delete, new DeleteRequest { Id = "t1" }, DeleteResponse.Parser);
        (await wait.WaitAsync(Patience)).ExitStatus.ShouldBe(0u);
    }

    [Fact]
    public async Task Shutdown_ExitsOnlyWhenNoTaskIsLeft_OrWhenNow()
    {
        await Create("sb");
        await Create("c1");
        await Call(TaskServiceNames.Shutdown, new ShutdownRequest { Id = "sb" }, Empty.Parser);
        service.ShutdownRequested.IsCompleted.ShouldBeFalse();
        await Call(TaskServiceNames.Delete, new DeleteRequest { Id = "c1" }, DeleteResponse.Parser);
        await Call(TaskServiceNames.Shutdown, new ShutdownRequest { Id = "c1" }, Empty.Parser);
        service.ShutdownRequested.IsCompleted.ShouldBeFalse();
        await Call(TaskServiceNames.Delete, new DeleteRequest { Id = "sb" }, DeleteResponse.Parser);
        await Call(TaskServiceNames.Shutdown, new ShutdownRequest { Id = "sb" }, Empty.Parser);
        await service.ShutdownRequested.WaitAsync(Patience);
    }

    [Fact]
    public async Task Shutdown_Now_ExitsEvenWithTasks()
    {
        await Create("t1");
        await Call(TaskServiceNames.Shutdown, new ShutdownRequest { Id = "t1", Now = true }, Empty.Parser);
        await service.ShutdownRequested.WaitAsync(Patience);
    }

    [Fact]
    public async Task Connect_ReturnsShimPidAndTaskPid_AndUnknownTasksAreNotFound()
    {
        await Create("t1");
        var connect = await Call(TaskServiceNames.Connect, new ConnectRequest { Id = "t1" }, ConnectResponse.Parser);
        connect.ShimPid.ShouldBe((uint)Environment.ProcessId);
        connect.TaskPid.ShouldBe(4242u);
        connect.Version.ShouldBe(TaskService.Version);
        (await Fails(TaskServiceNames.Connect, new ConnectRequest { Id = "nope" }, ConnectResponse.Parser)).Code.ShouldBe(StatusCode.NotFound);
        (await Fails(TaskServiceNames.State, new StateRequest { Id = "t1", ExecId = "e1" }, StateResponse.Parser)).Code.ShouldBe(StatusCode.NotFound);
    }

    [Fact]
    public async Task Pids_ListsTheTaskPid_AndCloseIOClosesStdinThroughThePipeline()
    {
        await Create("t1");
        (await Call(TaskServiceNames.Pids, new PidsRequest { Id = "t1" }, PidsResponse.Parser)).Processes.Single().Pid.ShouldBe(4242u);
        await Call(TaskServiceNames.CloseIO, new CloseIORequest { Id = "t1", Stdin = true }, Empty.Parser);
        pipeline.StdinCloses.ShouldBe([("t1", "")]);
    }

    [Fact]
    public async Task Checkpoint_AnswersUnimplemented_NamingTheMethod()
    {
        await Create("t1");
        var error = await Fails(TaskServiceNames.Checkpoint, new CheckpointTaskRequest { Id = "t1" }, Empty.Parser);
        error.Code.ShouldBe(StatusCode.Unimplemented);
        error.StatusMessage.ShouldStartWith("Checkpoint ");
    }

    [Fact]
    public async Task Exec_IsAddedThenStarted_WaitsAndDeletes_WithItsOwnEvents()
    {
        await Create("t1");
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        var spec = new Any { TypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/Process", Value = ByteString.CopyFromUtf8("{}") };
        await Call(TaskServiceNames.Exec, new ExecProcessRequest { Id = "t1", ExecId = "e1", Stdout = "/fifo/e1", Spec = spec }, Empty.Parser);
        pipeline.Execs.Single().ExecId.ShouldBe("e1");
        pipeline.Execs.Single().ProcessSpec.ShouldBe(spec);
        (await Fails(TaskServiceNames.Exec, new ExecProcessRequest { Id = "t1", ExecId = "e1" }, Empty.Parser)).Code.ShouldBe(StatusCode.AlreadyExists);

        var state = await Call(TaskServiceNames.State, new StateRequest { Id = "t1", ExecId = "e1" }, StateResponse.Parser);
        state.Status.ShouldBe(TaskStatus.Created);
        state.ExecId.ShouldBe("e1");
        state.Stdout.ShouldBe("/fifo/e1");

        (await Call(TaskServiceNames.Start, new StartRequest { Id = "t1", ExecId = "e1" }, StartResponse.Parser)).Pid.ShouldBe(4343u);
        pipeline.Starts.ShouldBe([("t1", ""), ("t1", "e1")]);
        var wait = Call(TaskServiceNames.Wait, new WaitRequest { Id = "t1", ExecId = "e1" }, WaitResponse.Parser);
        service.ReportExit("t1", "e1", 5, DateTimeOffset.UtcNow);
        (await wait).ExitStatus.ShouldBe(5u);
        // The init process is untouched by its exec's exit.
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Running);

        (await Call(TaskServiceNames.Delete, new DeleteRequest { Id = "t1", ExecId = "e1" }, DeleteResponse.Parser)).ExitStatus.ShouldBe(5u);
        pipeline.Deletes.ShouldBe(["t1/e1"]);
        (await Fails(TaskServiceNames.State, new StateRequest { Id = "t1", ExecId = "e1" }, StateResponse.Parser)).Code.ShouldBe(StatusCode.NotFound);

        var topics = events.Topics.ToList();
        topics.ShouldContain(TaskEventTopics.ExecAdded);
        topics.ShouldContain(TaskEventTopics.ExecStarted);
        var exit = events.Events.Select(p => p.Message).OfType<TaskExit>().Single();
        exit.Id.ShouldBe("e1");
        exit.ContainerId.ShouldBe("t1");
        topics.Count(t => t == TaskEventTopics.Delete).ShouldBe(0); // execs leave no /tasks/delete
    }

    [Fact]
    public void AnOomReportedByThePipeline_IsPublishedAsTasksOom()
    {
        service.ReportOom("t1");
        var (topic, message) = events.Events.Single();
        topic.ShouldBe(TaskEventTopics.Oom);
        ((TaskOOM)message).ContainerId.ShouldBe("t1");
    }

    [Fact]
    public async Task AnExitReportedWhileStartIsInFlight_IsPublishedAfterTaskStart()
    {
        await Create("t1");
        pipeline.DuringStart = (id, exec) => service.ReportExit(id, exec, 0, DateTimeOffset.UtcNow);
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        var topics = events.Topics.ToList();
        topics.IndexOf(TaskEventTopics.Start).ShouldBeLessThan(topics.IndexOf(TaskEventTopics.Exit));
        (await Call(TaskServiceNames.Wait, new WaitRequest { Id = "t1" }, WaitResponse.Parser)).ExitStatus.ShouldBe(0u);
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Stopped);
    }

    [Fact]
    public async Task PauseAndResume_GoThroughThePipeline_ChangeTheStatus_AndPublishEvents()
    {
        await Create("t1");
        (await Fails(TaskServiceNames.Pause, new PauseRequest { Id = "t1" }, Empty.Parser)).Code.ShouldBe(StatusCode.FailedPrecondition);
        await Call(TaskServiceNames.Start, new StartRequest { Id = "t1" }, StartResponse.Parser);
        await Call(TaskServiceNames.Pause, new PauseRequest { Id = "t1" }, Empty.Parser);
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Paused);
        await Call(TaskServiceNames.Resume, new ResumeRequest { Id = "t1" }, Empty.Parser);
        (await Call(TaskServiceNames.State, new StateRequest { Id = "t1" }, StateResponse.Parser)).Status.ShouldBe(TaskStatus.Running);
        pipeline.PauseChanges.ShouldBe([("t1", true), ("t1", false)]);
        events.Topics.ShouldContain(TaskEventTopics.Paused);
        events.Topics.ShouldContain(TaskEventTopics.Resumed);
    }

    [Fact]
    public async Task UpdateStatsAndResize_ReachThePipeline_AndResizeNeedsATerminal()
    {
        await Create("t1");
        var resources = new Any { TypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources", Value = ByteString.CopyFromUtf8("{}") };
        await Call(TaskServiceNames.Update, new UpdateTaskRequest { Id = "t1", Resources = resources }, Empty.Parser);
        pipeline.Updates.Single().Resources.ShouldBe(resources);
        (await Fails(TaskServiceNames.Update, new UpdateTaskRequest { Id = "t1" }, Empty.Parser)).Code.ShouldBe(StatusCode.InvalidArgument);

        pipeline.Stats = new Any { TypeUrl = "io.containerd.cgroups.v1.Metrics" };
        (await Call(TaskServiceNames.Stats, new StatsRequest { Id = "t1" }, StatsResponse.Parser)).Stats.TypeUrl.ShouldBe("io.containerd.cgroups.v1.Metrics");

        var resize = await Fails(TaskServiceNames.ResizePty, new ResizePtyRequest { Id = "t1", Width = 80, Height = 24 }, Empty.Parser);
        resize.Code.ShouldBe(StatusCode.FailedPrecondition);
        resize.StatusMessage.ShouldContain("no terminal");
        await Call(TaskServiceNames.Create, new CreateTaskRequest { Id = "tty", Bundle = bundle, Terminal = true }, CreateTaskResponse.Parser);
        await Call(TaskServiceNames.ResizePty, new ResizePtyRequest { Id = "tty", Width = 80, Height = 24 }, Empty.Parser);
        pipeline.Resizes.ShouldBe([("tty", "", 80u, 24u)]);
    }

    [Fact]
    public async Task AllSeventeenMethods_AreRegistered()
    {
        foreach (var method in TaskServiceNames.All)
        {
            // An empty request reaches the handler (unknown task → NotFound, or InvalidArgument/Unimplemented),
            // never the framework's "method X" Unimplemented.
            try
            {
                await client.CallAsync(TaskServiceNames.Service, method, new Empty(), Empty.Parser, Patience, CancellationToken.None);
                method.ShouldBe(TaskServiceNames.Shutdown); // the only one that succeeds with no task
            }
            catch (TtrpcException error)
            {
                error.StatusMessage.ShouldNotBe($"method {method}");
            }
        }
    }
}
