using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class ConnectionLossTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task Agent_going_away_fails_the_pending_long_poll_and_every_later_call()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");
        var wait = agent.Client.WaitProcessAsync("c1", "c1", Ct);

        await agent.Host.DisposeAsync();

        var lost = await Should.ThrowAsync<AgentConnectionLostException>(() => wait);
        lost.Code.ShouldBe(StatusCode.Unavailable);
        lost.Rpc.ShouldBe("grpc.AgentService/WaitProcess");
        var later = await Should.ThrowAsync<AgentConnectionLostException>(() => agent.Client.CheckAsync(Ct));
        later.Rpc.ShouldBe("grpc.Health/Check");
        agent.Client.IsClosed.ShouldBeTrue();
    }

    [Fact]
    public async Task The_plain_unix_transport_reaches_the_agent_without_a_handshake()
    {
        await using var agent = await RunningAgent.StartAsync();
        await using var direct = await AgentClient.ConnectAsync(new UnixAgentEndpoint(agent.Host.TtrpcSocketPath), Ct);

        (await direct.CheckAsync(Ct)).Status.ShouldBe(Protocol.HealthCheckResponse.Types.ServingStatus.Serving);
        (await direct.VersionAsync(Ct)).GrpcVersion.ShouldBe("0.0.1");
    }
}
