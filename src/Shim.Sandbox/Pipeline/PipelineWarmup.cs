using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Preflight;
using Shim.Topology;

namespace Shim.Sandbox.Pipeline;

/// <summary>What the daemon's warm-up reads: the files Create will most likely read.</summary>
/// <param name="RuntimeConfigPath">config_path from start's stdin (the daemon's <c>-runtime-config</c>), or null.</param>
/// <param name="Bundle">The daemon's bundle (its OCI spec is parsed as Create parses it), or null.</param>
public sealed record PipelineWarmupOptions(
    string? RuntimeConfigPath,
    string? Bundle,
    IConfigurationFileSystem Files,
    Func<string, string?> Environment,
    PluginOwnerPolicy PluginOwnerPolicy);

/// <summary>A running warm-up. <see cref="StandDown"/> when Create arrives: the current step ends, the rest is skipped.</summary>
public sealed class PipelineWarmupRun
{
    private volatile bool _standDown;

    internal PipelineWarmupRun(Func<PipelineWarmupRun, Task> body) => Completion = body(this);

    public Task Completion { get; }

    /// <summary>Called by Create on arrival: from then on the warm-up would only compete with it for the CPU.</summary>
    public void StandDown() => _standDown = true;

    internal bool StoodDown => _standDown;
}

/// <summary>
/// A shim daemon is started for one Create, which arrives a few milliseconds after it listens; most of a cold Create
/// is JIT (JSON, TOML, configuration, plugins, sysfs, netlink, planner). Until Create arrives this runs, step by step
/// in Create's own order, the read-only path a refused Create takes: the bundle's OCI spec, the configuration, the
/// plugin catalog (kept in <see cref="PluginCatalogCache.Shared"/> for Create to reuse), a preflight whose plugins read
/// this process's own network namespace over rtnetlink, and a topology plan that is refused. It writes nothing and
/// never throws. It stands down when Create arrives (the current step finishes, the rest is skipped), because on two
/// loaded cores a warm-up running beside Create only slows it.
/// </summary>
public static class PipelineWarmup
{
    /// <summary>The daemon's own network namespace: reading its links exercises the netlink code a pod's would.</summary>
    private const string OwnNetworkNamespace = "/proc/self/ns/net";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>Starts the warm-up at once, without a bundle; never stands down.</summary>
    public static Task Start(string? runtimeConfigPath, IConfigurationFileSystem files, Func<string, string?> environment, PluginOwnerPolicy pluginOwnerPolicy, ILogger logger) =>
        Begin(new PipelineWarmupOptions(runtimeConfigPath, null, files, environment, pluginOwnerPolicy), logger).Completion;

    /// <summary>Starts the warm-up on the thread pool; call <see cref="PipelineWarmupRun.StandDown"/> when Create arrives.</summary>
    public static PipelineWarmupRun Begin(PipelineWarmupOptions options, ILogger logger) =>
        new(run => Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var steps = await RunAsync(options, PluginCatalogCache.Shared, () => run.StoodDown).ConfigureAwait(false);
                logger.LogDebug("pipeline warm-up: {Steps} of {All} steps in {Ms:0.0} ms", steps, StepCount, clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception ex)
            {
                // Only a warm-up: the real Create reports whatever is wrong, with its own request.
                logger.LogDebug("pipeline warm-up stopped after {Ms:0.0} ms: {Error}", clock.Elapsed.TotalMilliseconds, ex.Message);
            }
        }));

    /// <summary>How many steps <see cref="RunAsync"/> has.</summary>
    public const int StepCount = 5;

    /// <summary>The warm-up itself (benchmarks and tests call it directly); checks <paramref name="standDown"/> between steps.</summary>
    /// <returns>How many steps ran.</returns>
    public static async Task<int> RunAsync(PipelineWarmupOptions options, PluginCatalogCache catalogs, Func<bool> standDown)
    {
        if (options.Bundle is not null)
        {
            // Create's first reads: BundleSpec in the Task service, OciSandboxSpec in the pipeline.
            _ = BundleSpec.Load(options.Bundle);
            _ = OciSandboxSpec.Load(options.Bundle);
        }
        if (standDown()) return 1;
        var config = LoadConfiguration(options);
        if (standDown()) return 2;
        var pluginsDir = config.Plugins.Directory.Value;
        var catalog = config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir)
            ? catalogs.Get(pluginsDir, options.PluginOwnerPolicy)
            : null;
        if (standDown()) return 3;
        var netns = File.Exists(OwnNetworkNamespace) ? OwnNetworkNamespace : null;
        var request = new PreflightRequest(config, new SysfsRoot(config.Host.SysfsRoot.Value), "warmup", netns, "{}",
            new Dictionary<string, string>(), [], catalog);
        await SandboxPreflight.RunAsync(request, Deadline, CancellationToken.None).ConfigureAwait(false);
        if (standDown()) return 4;
        _ = RefusedPlan(config);
        return StepCount;
    }

    /// <summary>The planner's refusal and its message, for a VF that cannot be placed (no-port modes, no root port).</summary>
    public static string RefusedPlan(KataplugConfiguration config)
    {
        var vf = DeviceRequest.Vfio("physical-vf", "warmup0", PlugMode.Auto, new Shim.Topology.PciFunction("0000:00:00.1", 0x8086, 0x154c, 0x020000, true, 0));
        var settings = config.ToTopologySettings() with { ColdPlugVfio = PortType.NoPort, HotPlugVfio = PortType.NoPort, PcieRootPort = 0 };
        var outcome = TopologyPlanner.Plan(settings, [vf], HostFactsSnapshot.ViableFor([vf]));
        return PipelineMessages.PreflightRefused("warmup", outcome.Problems.Select(p => p.ToString()).ToArray());
    }

    // The file Create will most likely load; without one, the embedded default still warms the TOML and config code.
    private static KataplugConfiguration LoadConfiguration(PipelineWarmupOptions options)
    {
        try
        {
            return ConfigurationSelector.Load(
                new ConfigSelectionInputs(ConfigConsumer.Shim, RuntimeOptionsConfigPath: options.RuntimeConfigPath,
                    EnvironmentConfigFile: options.Environment(ConfigFileResolver.EnvironmentVariable)),
                options.Files).Configuration;
        }
        catch (ConfigurationException)
        {
            return ConfigurationLoader.Load(EmbeddedDefaultConfiguration.ReadBytes(), EmbeddedDefaultConfiguration.SourceName);
        }
    }
}
