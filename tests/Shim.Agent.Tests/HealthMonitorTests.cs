using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class HealthMonitorTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task The_first_failed_Check_after_the_agent_vanishes_declares_it_dead()
    {
        await using var agent = await RunningAgent.StartAsync();
        await using var monitor = new AgentHealthMonitor(agent.Client, TimeSpan.FromMilliseconds(20));

        await agent.Host.DisposeAsync();

        var verdict = await monitor.Dead.WaitAsync(Ct);
        verdict.ShouldBeOfType<AgentConnectionLostException>().Rpc.ShouldBe("grpc.Health/Check");
    }

    [Fact]
    public async Task A_Check_that_misses_its_deadline_declares_the_agent_dead_with_code_4()
    {
        await using var vmm = new FakeVmm("OK 1\n");
        await using var client = await AgentClient.ConnectAsync(new HybridVsockAgentEndpoint(vmm.SocketPath), Ct);
        await using var monitor = new AgentHealthMonitor(client, TimeSpan.FromMilliseconds(20), checkTimeout: TimeSpan.FromMilliseconds(100));

        var verdict = await monitor.Dead.WaitAsync(Ct);

        verdict.ShouldBeOfType<AgentException>().Code.ShouldBe(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Disposing_the_monitor_stops_it_without_a_verdict()
    {
        await using var agent = await RunningAgent.StartAsync();
        var monitor = new AgentHealthMonitor(agent.Client, TimeSpan.FromMilliseconds(10));

        await monitor.DisposeAsync();
        await agent.Host.DisposeAsync();

        monitor.Dead.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task UpdateInterface_is_retried_while_the_guest_reports_Link_not_found()
    {
        await using var agent = await RunningAgent.StartAsync(o => o with { LinkNotFoundAttempts = 3 });
        var nic = new Interface { Name = "eth0", HwAddr = "02:00:00:00:00:03", DevicePath = "04/00" };

        var applied = await agent.Client.UpdateInterfaceRetryingAsync(nic, Ct, pause: TimeSpan.FromMilliseconds(1));

        applied.ShouldBe(nic);
        agent.Host.Record.Interfaces.ShouldHaveSingleItem().DevicePath.ShouldBe("04/00");
    }

    [Fact]
    public async Task UpdateInterface_retry_gives_up_after_its_attempts_with_the_agent_message()
    {
        await using var agent = await RunningAgent.StartAsync(o => o with { LinkNotFoundAttempts = 5 });
        var nic = new Interface { Name = "eth0", HwAddr = "02:00:00:00:00:04" };

        var ex = await Should.ThrowAsync<AgentException>(() =>
            agent.Client.UpdateInterfaceRetryingAsync(nic, Ct, attempts: 3, pause: TimeSpan.FromMilliseconds(1)));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldBe("Failed to update interface: Link not found (hwaddr 02:00:00:00:00:04)");
        agent.Host.Record.Interfaces.ShouldBeEmpty();
    }
}
