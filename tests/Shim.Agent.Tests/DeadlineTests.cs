using Shim.TestAgent;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class DeadlineTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task A_call_to_an_agent_that_never_answers_fails_at_its_deadline_with_code_4()
    {
        await using var vmm = new FakeVmm("OK 1\n");
        await using var client = await AgentClient.ConnectAsync(new HybridVsockAgentEndpoint(vmm.SocketPath), Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Should.ThrowAsync<AgentException>(() => client.CheckAsync(Ct, TimeSpan.FromMilliseconds(300)));

        ex.Code.ShouldBe(StatusCode.DeadlineExceeded);
        ex.Rpc.ShouldBe("grpc.Health/Check");
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290));
    }

    [Fact]
    public async Task Cancelling_a_long_poll_throws_OperationCanceledException()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");
        using var cts = new CancellationTokenSource();
        var wait = agent.Client.WaitProcessAsync("c1", "c1", cts.Token);

        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => wait);
        (await agent.Client.CheckAsync(Ct)).Status.ShouldBe(Protocol.HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task WaitForAgent_gives_up_at_the_deadline_with_the_last_error()
    {
        var directory = RunningAgent.NewDirectory();
        var endpoint = new HybridVsockAgentEndpoint(Path.Combine(directory, "absent.sock"));

        var ex = await Should.ThrowAsync<AgentConnectException>(() => AgentClient.WaitForAgentAsync(endpoint, TimeSpan.FromMilliseconds(300), Ct));

        ex.Message.ShouldContain("did not answer Check within 0.3 s");
        ex.InnerException.ShouldBeOfType<AgentConnectException>().Message.ShouldContain("connect failed");
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task WaitForAgent_connects_once_the_agent_starts_listening()
    {
        var directory = RunningAgent.NewDirectory();
        var socketPath = Path.Combine(directory, "kata.hvsock");
        var waiting = AgentClient.WaitForAgentAsync(new HybridVsockAgentEndpoint(socketPath), TimeSpan.FromSeconds(30), Ct);

        await using var host = TestAgentHost.Start(new TestAgentOptions(socketPath));
        await using var client = await waiting;

        (await client.VersionAsync(Ct)).AgentVersion.ShouldBe(TestAgentService.AgentVersion);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task WaitForAgent_retries_through_a_VMM_without_guest_listener()
    {
        // The VMM socket exists but drops every CONNECT (wrong port = no listener): all attempts fail the handshake.
        await using var agent = await RunningAgent.StartAsync();
        var noListener = agent.Host.HybridEndpoint with { Port = 4242 };

        // Long enough for several attempts even on two loaded cores (the backoff starts at 10 ms).
        await Should.ThrowAsync<AgentConnectException>(() => AgentClient.WaitForAgentAsync(noListener, TimeSpan.FromSeconds(3), Ct));

        agent.Host.Muxer.Refused.ShouldBeGreaterThan(1);
    }
}
