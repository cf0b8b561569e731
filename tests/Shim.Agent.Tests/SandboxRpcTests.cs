using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class SandboxRpcTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task GetOOMEvent_long_polls_until_DestroySandbox_closes_the_channel()
    {
        await using var agent = await RunningAgent.StartAsync();
        var poll = agent.Client.GetOOMEventAsync(Ct);

        await agent.Client.DestroySandboxAsync(Ct);

        var ex = await Should.ThrowAsync<AgentException>(() => poll);
        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldBe("OOM event channel closed: sandbox destroyed");
    }

    [Fact]
    public async Task List_RPCs_return_what_the_shim_configured()
    {
        await using var agent = await RunningAgent.StartAsync();
        var nic = new Interface { Name = "eth0", HwAddr = "02:00:00:00:00:05", Mtu = 9000, DevicePath = "02/00" };
        await agent.Client.UpdateInterfaceAsync(nic, Ct);
        await agent.Client.UpdateRoutesAsync([new Route { Gateway = "10.0.0.1", Device = "eth0" }], Ct);

        var link = (await agent.Client.ListInterfacesAsync(Ct)).ShouldHaveSingleItem();
        link.Mtu.ShouldBe(9000ul);
        link.DevicePath.ShouldBeEmpty(); // the agent fills only name, hwAddr, mtu, addresses
        (await agent.Client.ListRoutesAsync(Ct)).ShouldHaveSingleItem().Gateway.ShouldBe("10.0.0.1");
    }

    [Fact]
    public async Task Ephemeral_mounts_and_stale_share_cleanup_are_accepted_and_9p_is_refused()
    {
        await using var agent = await RunningAgent.StartAsync();

        await agent.Client.UpdateEphemeralMountsAsync([new Storage { Driver = "ephemeral", Source = "tmpfs", Fstype = "tmpfs", MountPoint = "/run/kata-containers/sandbox/ephemeral/cache" }], Ct);
        await agent.Client.RemoveStaleVirtiofsShareMountsAsync(Ct);

        (await Should.ThrowAsync<AgentException>(() => agent.Client.UpdateEphemeralMountsAsync([new Storage { Driver = "9p" }], Ct)))
            .AgentMessage.ShouldBe("Failed to find the storage handler 9p");
    }
}
