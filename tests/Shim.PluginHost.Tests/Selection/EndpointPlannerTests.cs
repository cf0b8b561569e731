using Shim.Abstractions;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Planning;
using Shim.PluginHost.Selection;
using Shim.PluginHost.Tests.Fakes;
using Shim.PluginHost.Tests.Loading;

namespace Shim.PluginHost.Tests.Selection;

public sealed class EndpointPlannerTests : IDisposable
{
    private readonly PluginsDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private PluginCatalog Catalog(params string[] fixtures)
    {
        foreach (var f in fixtures) _dir.Add(f);
        return new PluginLoader(new PluginLoaderOptions(_dir.Root)).LoadAll();
    }

    private static SandboxPlanInput Input(IReadOnlyDictionary<string, string>? annotations = null) =>
        new("sandbox-1", AttachPhase.Boot, Contexts.Spec(annotations), Contexts.ColdRootPort, new FakePciInventory(), null, new FakeFileView());

    [Fact]
    public async Task A_plugin_that_throws_in_discovery_is_named_and_only_fails_the_sandbox_when_required()
    {
        var catalog = Catalog("GoodPlugin", "ThrowingPlugin");
        var optional = new PluginSelection(["throwing", "good"], []);
        var required = optional with { Required = new HashSet<string> { "throwing" } };

        var relaxed = await new EndpointPlanner(catalog, optional).PlanAsync(Input(), CancellationToken.None);
        var strict = await new EndpointPlanner(catalog, required).PlanAsync(Input(), CancellationToken.None);

        relaxed.Succeeded.ShouldBeTrue();
        relaxed.Attachments.ShouldHaveSingleItem().PluginName.ShouldBe("good");
        relaxed.Notes.ShouldContain(n => n.Contains("plugin throwing") && n.Contains("boom from discovery"));
        strict.Succeeded.ShouldBeFalse();
        var problem = strict.Problems.ShouldHaveSingleItem();
        problem.Plugin.ShouldBe("throwing");
        problem.Message.ShouldContain("boom from discovery");
    }

    [Fact]
    public async Task A_missing_plugin_fails_the_sandbox_only_when_required()
    {
        var catalog = Catalog("GoodPlugin", "IncompatiblePlugin");
        var selection = new PluginSelection(["incompatible", "good"], []);

        var relaxed = await new EndpointPlanner(catalog, selection).PlanAsync(Input(), CancellationToken.None);
        var strict = await new EndpointPlanner(catalog, selection with { Required = new HashSet<string> { "incompatible" } })
            .PlanAsync(Input(), CancellationToken.None);

        relaxed.Succeeded.ShouldBeTrue();
        relaxed.Notes.ShouldContain(n => n.Contains("plugin incompatible not available"));
        strict.Problems.ShouldHaveSingleItem().Message.ShouldContain("99.0");
    }

    [Theory]
    [InlineData("good", "lib-v1")]
    [InlineData("lib-v1", "good")]
    public async Task The_first_plugin_in_the_configured_order_owns_a_contested_function(string first, string second)
    {
        // Both fixtures offer 0000:3b:00.0.
        var catalog = Catalog("GoodPlugin", "LibV1Plugin");

        var result = await new EndpointPlanner(catalog, new PluginSelection([first, second], [])).PlanAsync(Input(), CancellationToken.None);

        result.Succeeded.ShouldBeTrue();
        result.Attachments.ShouldHaveSingleItem().PluginName.ShouldBe(first);
        result.Notes.ShouldContain(n => n.Contains($"plugin {second}") && n.Contains($"left to plugin {first}") && n.Contains("0000:3b:00.0"));
    }

    [Theory]
    [InlineData("exclude", "*", null, null, null, false)]
    [InlineData("exclude", "good", "8086:*", null, null, false)]
    [InlineData("exclude", "good", "15b3:*", null, null, true)]
    [InlineData("include", "good", null, "igb*", null, true)]
    [InlineData("include", "good", null, "mlx5_core", null, false)]
    [InlineData("include", "good", null, null, "team=blue", true)]
    [InlineData("include", "good", null, null, "team=red", false)]
    [InlineData("exclude", "good", null, null, "team", false)]
    [InlineData("exclude", "other", null, null, null, true)]
    public async Task Match_rules_include_and_exclude_candidates(string action, string plugin, string? vendorDevice, string? driver, string? annotation, bool kept)
    {
        var catalog = Catalog("GoodPlugin");
        var rule = new PluginMatchRule(plugin, action == "include" ? MatchAction.Include : MatchAction.Exclude, "plugins.rules[0]")
        {
            VendorDevice = vendorDevice,
            HostDriver = driver,
            Annotation = annotation,
        };

        var result = await new EndpointPlanner(catalog, new PluginSelection(["good"], [rule]))
            .PlanAsync(Input(new Dictionary<string, string> { ["team"] = "blue" }), CancellationToken.None);

        result.Attachments.Count.ShouldBe(kept ? 1 : 0);
        if (!kept) result.Notes.ShouldContain(n => n.Contains("good-0") && n.Contains("plugins.rules[0]"));
    }

    [Fact]
    public void An_interface_glob_rule_matches_only_named_candidates()
    {
        var rule = new PluginMatchRule("physical-vf", MatchAction.Include, "r") { InterfaceGlob = "net?" };
        var ann = new Dictionary<string, string>();

        rule.Matches(new EndpointCandidate("net1", EndpointKind.Physical, "") { InterfaceName = "net1" }, ann).ShouldBeTrue();
        rule.Matches(new EndpointCandidate("net10", EndpointKind.Physical, "") { InterfaceName = "net10" }, ann).ShouldBeFalse();
        rule.Matches(new EndpointCandidate("group-1", EndpointKind.Vfio, ""), ann).ShouldBeFalse();
    }

    [Fact]
    public async Task Plugin_settings_reach_the_plugin_under_its_own_key()
    {
        var catalog = Catalog("GoodPlugin");
        var selection = new PluginSelection(["good"], [])
        {
            Settings = new Dictionary<string, IReadOnlyDictionary<string, object>> { ["good"] = Contexts.Table(("bdf", "0000:5e:00.1")) },
        };

        var result = await new EndpointPlanner(catalog, selection).PlanAsync(Input(), CancellationToken.None);

        result.Attachments.ShouldHaveSingleItem().PciFunctions.ShouldHaveSingleItem().Bdf.ShouldBe("0000:5e:00.1");
    }

    [Fact]
    public async Task A_wrongly_typed_setting_fails_naming_the_full_key()
    {
        var catalog = Catalog("GoodPlugin");
        var selection = new PluginSelection(["good"], [])
        {
            Settings = new Dictionary<string, IReadOnlyDictionary<string, object>> { ["good"] = Contexts.Table(("bdf", 7L)) },
        };

        var result = await new EndpointPlanner(catalog, selection).PlanAsync(Input(), CancellationToken.None);

        var problem = result.Problems.ShouldHaveSingleItem();
        problem.SettingKey.ShouldBe("plugins.settings.good.bdf");
        problem.Message.ShouldBe("plugins.settings.good.bdf must be a string, got int64 7");
    }

    [Fact]
    public async Task Invalid_oci_json_is_a_problem_not_an_exception()
    {
        var catalog = Catalog("GoodPlugin");
        var input = Input() with { OciSpecJson = "{not json" };

        var result = await new EndpointPlanner(catalog, new PluginSelection(["good"], [])).PlanAsync(input, CancellationToken.None);

        result.Problems.ShouldHaveSingleItem().Message.ShouldContain("config.json");
    }
}
