using Shim.Configuration;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Pipeline;
using Shim.SysfsEmulator;

namespace Shim.Sandbox.Tests;

/// <summary>The daemon's warm-up runs Create's read-only path, fills the catalog cache, and stands down on request.</summary>
public sealed class PipelineWarmupTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("kp-warm-").FullName;

    private PipelineWarmupOptions Options()
    {
        var plugins = Directory.CreateDirectory(Path.Combine(root, "plugins")).FullName;
        Directory.CreateDirectory(Path.Combine(plugins, "Empty"));
        var bundle = Directory.CreateDirectory(Path.Combine(root, "bundle")).FullName;
        File.WriteAllText(Path.Combine(bundle, "config.json"), """{"annotations":{}}""");
        var config = Path.Combine(root, "c.toml");
        File.WriteAllText(config, $"""
            [plugins]
            enabled = ["physical-vf"]
            directory = "{plugins}"

            [host]
            sysfs_root = "{new EmulatedHostBuilder().HostBridge("0000:00:00.0").Build(Path.Combine(root, "host")).Root}"
            state_dir = "{Path.Combine(root, "state")}"
            """);
        return new PipelineWarmupOptions(config, bundle, PhysicalConfigurationFileSystem.Instance, _ => null, PluginOwnerPolicy.AnyOwnerTestsOnly);
    }

    [Fact]
    public async Task EveryStepRuns_AndTheCatalogIsLeftForCreate_WithoutWritingAnything()
    {
        var options = Options();
        var cache = new PluginCatalogCache();
        var before = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order().ToList();

        (await PipelineWarmup.RunAsync(options, cache, () => false)).ShouldBe(PipelineWarmup.StepCount);

        cache.Loads.ShouldBe(1);
        cache.Get(Path.Combine(root, "plugins"), PluginOwnerPolicy.AnyOwnerTestsOnly);
        cache.Loads.ShouldBe(1); // Create's call reuses the warm-up's catalog
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order().ToList().ShouldBe(before);
    }

    [Fact]
    public async Task TheDaemonsWarmup_OnItsOwnThreads_LeavesTheCatalogInTheSharedCache()
    {
        var options = Options();

        await PipelineWarmup.Begin(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Completion.WaitAsync(TimeSpan.FromSeconds(30));

        var loads = PluginCatalogCache.Shared.Loads;
        PluginCatalogCache.Shared.Get(Path.Combine(root, "plugins"), PluginOwnerPolicy.AnyOwnerTestsOnly).Entries.ShouldHaveSingleItem();
        PluginCatalogCache.Shared.Loads.ShouldBe(loads);
    }

    [Fact]
    public async Task StandingDown_SkipsTheRemainingSteps()
    {
        var cache = new PluginCatalogCache();

        // One step of each part (the OCI spec, the configuration) ends before the first check.
        (await PipelineWarmup.RunAsync(Options(), cache, () => true)).ShouldBe(2);

        cache.Loads.ShouldBe(0);
    }

    [Fact]
    public void TheRefusedPlan_ProducesThePlannersNoPortMessage()
    {
        var text = PipelineWarmup.RefusedPlan(new Shim.Topology.TopologySettings());

        text.ShouldContain("nothing was changed on the host");
        text.ShouldContain("cold_plug_vfio = \"no-port\"");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
