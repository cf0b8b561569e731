namespace Shim.Agent.Tests;

public sealed class GuestDetailsTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task GetGuestDetails_asks_for_block_size_and_returns_the_agent_capabilities()
    {
        await using var agent = await RunningAgent.StartAsync();

        var details = await agent.Client.GetGuestDetailsAsync(Ct);

        details.MemBlockSizeBytes.ShouldBe(128UL << 20);
        details.AgentDetails.StorageHandlers.ShouldContain("virtio-fs");
        details.AgentDetails.StorageHandlers.ShouldNotContain("9p");
    }
}
