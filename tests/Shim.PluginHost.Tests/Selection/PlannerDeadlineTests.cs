using System.Runtime.Loader;
using Shim.Abstractions;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Planning;
using Shim.PluginHost.Selection;
using Shim.PluginHost.Tests.Fakes;

namespace Shim.PluginHost.Tests.Selection;

public sealed class PlannerDeadlineTests
{
    /// <summary>A plugin whose discovery or planning never finishes unless cancelled.</summary>
    private sealed class HangingPlugin(bool hangInPlan) : IEndpointPlugin
    {
        private readonly TaskCompletionSource _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "hanging";
        public Version Version { get; } = new(1, 0);
        public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Vfio];

        public async Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
        {
            if (!hangInPlan) await _never.Task.WaitAsync(cancellationToken);
            return new DiscoveryResult([new EndpointCandidate("x", EndpointKind.Vfio, "")], []);
        }

        public async Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken)
        {
            await _never.Task.WaitAsync(cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private static PluginCatalog InMemory(IEndpointPlugin plugin)
    {
        var entry = new PluginCatalogEntry("Hanging", "/nowhere", PluginStatus.Loaded, PluginRefusal.None, null, null, plugin.Name, "1.0", "1.0", plugin.Kinds);
        return new PluginCatalog("/nowhere", [entry], [new LoadedPlugin(plugin, entry, AssemblyLoadContext.Default)]);
    }

    private static SandboxPlanInput Input => new("s", AttachPhase.Boot, "{}", Contexts.ColdRootPort, new FakePciInventory(), null, new FakeFileView());

    [Fact]
    public async Task A_discovery_that_never_ends_is_cut_at_the_deadline_and_named()
    {
        var selection = new PluginSelection(["hanging"], []) { CallDeadline = TimeSpan.FromMilliseconds(200), Required = new HashSet<string> { "hanging" } };

        var result = await new EndpointPlanner(InMemory(new HangingPlugin(false)), selection).PlanAsync(Input, CancellationToken.None);

        result.Problems.ShouldHaveSingleItem().Message.ShouldContain("plugin hanging did not finish discovery within 0.2 s");
    }

    [Fact]
    public async Task A_plan_that_never_ends_fails_the_candidate()
    {
        var selection = new PluginSelection(["hanging"], []) { CallDeadline = TimeSpan.FromMilliseconds(200) };

        var result = await new EndpointPlanner(InMemory(new HangingPlugin(true)), selection).PlanAsync(Input, CancellationToken.None);

        var problem = result.Problems.ShouldHaveSingleItem();
        problem.CandidateId.ShouldBe("x");
        problem.Message.ShouldContain("did not finish planning x within 0.2 s");
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_plugin_problem()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var selection = new PluginSelection(["hanging"], []);

        await Should.ThrowAsync<OperationCanceledException>(() =>
            new EndpointPlanner(InMemory(new HangingPlugin(false)), selection).PlanAsync(Input, cts.Token));
    }
}
