using Shim.TestAgent;

namespace Shim.Agent.Tests;

/// <summary><c>--serve-many</c>: one agent serves sandbox after sandbox, each a fresh guest.</summary>
public sealed class ServeManyTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    /// <summary>One sandbox as the shim runs it: create, a container from the shared rootfs, destroy. Returns its output.</summary>
    internal static async Task<string> RunSandboxAsync(AgentClient client, string hostSharedTemplate, string sandboxId)
    {
        await Sandboxes.ShareRootfsAsync(hostSharedTemplate.Replace(SandboxShare.SandboxPlaceholder, sandboxId, StringComparison.Ordinal), "c1", sandboxId);
        await client.CreateSandboxAsync(Sandboxes.Create(sandboxId), Ct);
        await client.CreateContainerAsync(Containers.Create("c1", Sandboxes.GuestRootfs("c1"), Containers.Process("/", "/bin/cat", "/name")), Ct);
        await client.StartContainerAsync("c1", Ct);
        var output = await Containers.ReadTextAsync(client, "c1", "c1");
        (await client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
        await client.RemoveContainerAsync("c1", Ct);
        await client.DestroySandboxAsync(Ct);
        // As the real agent: the connection drops after the reply.
        await client.Completion.WaitAsync(Ct);
        return output;
    }

    [Fact]
    public async Task Two_sandboxes_in_a_row_each_get_a_fresh_agent_and_the_record_keeps_both()
    {
        string? template = null;
        await using var agent = await RunningAgent.StartAsync(o => o with
        {
            ServeMany = true,
            SharedRoot = template = Path.Combine(Path.GetDirectoryName(o.SocketPath)!, "{sandbox}"),
        });

        (await RunSandboxAsync(agent.Client, template!, "sb1")).ShouldBe("sb1\n");
        agent.Client.IsClosed.ShouldBeTrue();
        await using var second = await AgentClient.WaitForAgentAsync(agent.Host.HybridEndpoint, TimeSpan.FromSeconds(30), Ct);
        (await RunSandboxAsync(second, template!, "sb2")).ShouldBe("sb2\n");

        agent.Host.Record.Sandboxes.Select(s => s.SandboxId).ShouldBe(["sb1", "sb2"]);
        agent.Host.Record.Containers.Count.ShouldBe(2);
        agent.Host.Record.DestroySandboxCount.ShouldBe(2);
        agent.Host.Destroyed.IsCompleted.ShouldBeFalse();
        await using var third = await AgentClient.WaitForAgentAsync(agent.Host.HybridEndpoint, TimeSpan.FromSeconds(30), Ct);
        (await third.CheckAsync(Ct)).Status.ShouldBe(Protocol.HealthCheckResponse.Types.ServingStatus.Serving);
    }

    [Fact]
    public async Task Without_ServeMany_the_agent_stops_after_DestroySandbox()
    {
        await using var agent = await RunningAgent.StartAsync();

        await agent.Client.DestroySandboxAsync(Ct);

        await agent.Host.Destroyed.WaitAsync(Ct);
        await agent.Client.Completion.WaitAsync(Ct);
        await Should.ThrowAsync<AgentConnectException>(() => AgentClient.ConnectAsync(agent.Host.HybridEndpoint, Ct));
    }
}
