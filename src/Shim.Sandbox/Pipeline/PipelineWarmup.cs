using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Netlink;
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

/// <summary>A running warm-up. <see cref="StandDown"/> when Create arrives: the current steps end, the rest is skipped.</summary>
public sealed class PipelineWarmupRun
{
    private readonly System.Collections.Concurrent.ConcurrentBag<int> _threads = [];
    private volatile bool _standDown;

    internal PipelineWarmupRun(Func<PipelineWarmupRun, Task> body) => Completion = body(this);

    public Task Completion { get; }

    /// <summary>
    /// Called by Create on arrival: from then on the warm-up would only compete with it for the CPU, so its threads
    /// drop to the lowest priority and stop at their next step.
    /// </summary>
    public void StandDown()
    {
        _standDown = true;
        foreach (var thread in _threads)
        {
            ThreadNiceness.Set(thread, 19);
        }
    }

    internal void Enlist(int threadId)
    {
        _threads.Add(threadId);
        if (_standDown)
        {
            ThreadNiceness.Set(threadId, 19);
        }
    }

    internal bool StoodDown => _standDown;
}

/// <summary>
/// A shim daemon is started for one Create, which arrives a few milliseconds after it listens; most of a cold Create
/// is JIT (JSON, TOML, configuration, plugins, sysfs, netlink, planner). Until Create arrives this runs the read-only
/// path a refused Create takes, on two threads of its own: the configuration → plugin catalog (kept in
/// <see cref="PluginCatalogCache.Shared"/> for Create to reuse) → preflight chain, and beside it what needs no
/// configuration — the bundle's OCI spec, an rtnetlink read of this process's own network namespace, and a topology
/// plan that is refused. It writes nothing and never throws. It stands down when Create arrives (the current steps
/// finish, the rest is skipped): on two loaded cores a warm-up running beside Create only slows it.
/// </summary>
public static class PipelineWarmup
{
    /// <summary>How many steps <see cref="RunAsync"/> has (configuration chain and side steps together).</summary>
    public const int StepCount = 6;

    /// <summary>The daemon's own network namespace: reading its links exercises the netlink code a pod's would.</summary>
    private const string OwnNetworkNamespace = "/proc/self/ns/net";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>Starts the warm-up at once, without a bundle; never stands down.</summary>
    public static Task Start(string? runtimeConfigPath, IConfigurationFileSystem files, Func<string, string?> environment, PluginOwnerPolicy pluginOwnerPolicy, ILogger logger) =>
        Begin(new PipelineWarmupOptions(runtimeConfigPath, null, files, environment, pluginOwnerPolicy), logger).Completion;

    /// <summary>
    /// Starts the warm-up; call <see cref="PipelineWarmupRun.StandDown"/> when Create arrives. Its threads are its
    /// own, not the pool's: a fresh daemon has as many pool threads as cores, and warm-up work holding them would
    /// leave Create's continuations waiting.
    /// </summary>
    public static PipelineWarmupRun Begin(PipelineWarmupOptions options, ILogger logger) =>
        new(run =>
        {
            var chain = OnOwnThread("configuration chain", run, logger, stepDone => RunChainAsync(options, PluginCatalogCache.Shared, () => stepDone() || run.StoodDown));
            var side = OnOwnThread("side", run, logger, stepDone => RunSideAsync(options, () => stepDone() || run.StoodDown));
            return Task.WhenAll(chain, side);
        });

    /// <summary>The whole warm-up on the caller's thread (benchmarks and tests); checks <paramref name="standDown"/> between steps.</summary>
    /// <returns>How many steps ran.</returns>
    public static async Task<int> RunAsync(PipelineWarmupOptions options, PluginCatalogCache catalogs, Func<bool> standDown) =>
        await RunSideAsync(options, standDown).ConfigureAwait(false)
        + await RunChainAsync(options, catalogs, standDown).ConfigureAwait(false);

    /// <summary>The planner's refusal and its message, for a VF that cannot be placed (no-port modes, no root port).</summary>
    public static string RefusedPlan(TopologySettings settings)
    {
        var vf = DeviceRequest.Vfio("physical-vf", "warmup0", PlugMode.Auto, new Shim.Topology.PciFunction("0000:00:00.1", 0x8086, 0x154c, 0x020000, true, 0));
        var noPort = settings with { ColdPlugVfio = PortType.NoPort, HotPlugVfio = PortType.NoPort, PcieRootPort = 0 };
        var outcome = TopologyPlanner.Plan(noPort, [vf], HostFactsSnapshot.ViableFor([vf]));
        return PipelineMessages.PreflightRefused("warmup", outcome.Problems.Select(p => p.ToString()).ToArray());
    }

    // Configuration → catalog → preflight: each step needs the one before.
    private static async Task<int> RunChainAsync(PipelineWarmupOptions options, PluginCatalogCache catalogs, Func<bool> standDown)
    {
        var config = LoadConfiguration(options);
        if (standDown()) return 1;
        var pluginsDir = config.Plugins.Directory.Value;
        var catalog = config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir)
            ? catalogs.Get(pluginsDir, options.PluginOwnerPolicy)
            : null;
        if (standDown()) return 2;
        var netns = File.Exists(OwnNetworkNamespace) ? OwnNetworkNamespace : null;
        var request = new PreflightRequest(config, new SysfsRoot(config.Host.SysfsRoot.Value), "warmup", netns, "{}",
            new Dictionary<string, string>(), [], catalog);
        await SandboxPreflight.RunAsync(request, Deadline, CancellationToken.None).ConfigureAwait(false);
        standDown();
        return 3;
    }

    // What needs no configuration: Create's JSON reads, the netlink read, the planner's refusal.
    private static async Task<int> RunSideAsync(PipelineWarmupOptions options, Func<bool> standDown)
    {
        if (options.Bundle is not null)
        {
            // Create's first reads: BundleSpec in the Task service, OciSandboxSpec in the pipeline.
            _ = BundleSpec.Load(options.Bundle);
            _ = OciSandboxSpec.Load(options.Bundle);
        }
        if (standDown()) return 1;
        if (File.Exists(OwnNetworkNamespace))
        {
            using var links = NetlinkLinkView.Open(OwnNetworkNamespace, Deadline);
            _ = await links.GetLinksAsync(CancellationToken.None).ConfigureAwait(false);
        }
        if (standDown()) return 2;
        _ = RefusedPlan(new TopologySettings());
        await ThrowThroughAsyncFramesAsync().ConfigureAwait(false);
        standDown();
        return 3;
    }

    // A refusal reaches containerd as an exception unwinding several async frames; a process's first throw is slow
    // (exception dispatch, async unwinding), so the warm-up throws and catches one the same way.
    private static async Task ThrowThroughAsyncFramesAsync()
    {
        try
        {
            await RefuseAsync().ConfigureAwait(false);
        }
        catch (Shim.Ttrpc.TtrpcException ex) when (ex.Code == Shim.Ttrpc.StatusCode.FailedPrecondition)
        {
        }
    }

    private static async Task RefuseAsync()
    {
        await Task.Yield();
        throw new Shim.Ttrpc.TtrpcException(Shim.Ttrpc.StatusCode.FailedPrecondition, "warm-up refusal");
    }

    private static Task OnOwnThread(string part, PipelineWarmupRun run, ILogger logger, Func<Func<bool>, Task<int>> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            run.Enlist(ThreadNiceness.CurrentThreadId());
            var clock = Stopwatch.StartNew();
            var marks = new List<string>();
            bool StepDone()
            {
                marks.Add(clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
                return false;
            }
            try
            {
                var steps = body(StepDone).GetAwaiter().GetResult();
                logger.LogDebug("pipeline warm-up ({Part}): {Steps} steps, ended at {Marks} ms", part, steps, string.Join(", ", marks));
            }
            catch (Exception ex)
            {
                // Only a warm-up: the real Create reports whatever is wrong, with its own request.
                logger.LogDebug("pipeline warm-up ({Part}) stopped after {Ms:0.0} ms: {Error}", part, clock.Elapsed.TotalMilliseconds, ex.Message);
            }
            done.SetResult();
        })
        {
            IsBackground = true,
            Name = "pipeline warm-up: " + part,
        };
        thread.Start();
        return done.Task;
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
