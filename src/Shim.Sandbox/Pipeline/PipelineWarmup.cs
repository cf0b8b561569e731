using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Preflight;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// A shim daemon is started for one Create, which arrives a few milliseconds later; most of a cold Create is JIT
/// (TOML, configuration, plugins, planner). While containerd connects, this runs the same read-only path once —
/// configuration, plugin catalog, a device-less preflight — so that a misconfigured pod is refused within the
/// budget. It writes nothing, never throws, and Create never waits for it.
/// </summary>
public static class PipelineWarmup
{
    /// <param name="runtimeConfigPath">The daemon's config_path from start's stdin, when containerd gave one.</param>
    public static Task Start(string? runtimeConfigPath, IConfigurationFileSystem files, Func<string, string?> environment, PluginOwnerPolicy pluginOwnerPolicy, ILogger logger) =>
        Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var config = LoadConfiguration(runtimeConfigPath, files, environment);
                var pluginsDir = config.Plugins.Directory.Value;
                var catalog = config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir)
                    ? new PluginLoader(new PluginLoaderOptions(pluginsDir) { OwnerPolicy = pluginOwnerPolicy }).LoadAll()
                    : null;
                var request = new PreflightRequest(config, new SysfsRoot(config.Host.SysfsRoot.Value), "warmup", null, "{}",
                    new Dictionary<string, string>(), [], catalog);
                await SandboxPreflight.RunAsync(request, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                logger.LogDebug("pipeline warm-up done in {Ms:0.0} ms", clock.Elapsed.TotalMilliseconds);
            }
            catch (Exception ex)
            {
                // Only a warm-up: the real Create reports whatever is wrong, with its own request.
                logger.LogDebug("pipeline warm-up stopped after {Ms:0.0} ms: {Error}", clock.Elapsed.TotalMilliseconds, ex.Message);
            }
        });

    // The file Create will most likely load; without one, the embedded default still warms the TOML and config code.
    private static KataplugConfiguration LoadConfiguration(string? runtimeConfigPath, IConfigurationFileSystem files, Func<string, string?> environment)
    {
        try
        {
            return ConfigurationSelector.Load(
                new ConfigSelectionInputs(ConfigConsumer.Shim, RuntimeOptionsConfigPath: runtimeConfigPath,
                    EnvironmentConfigFile: environment(ConfigFileResolver.EnvironmentVariable)),
                files).Configuration;
        }
        catch (ConfigurationException)
        {
            return ConfigurationLoader.Load(EmbeddedDefaultConfiguration.ReadBytes(), EmbeddedDefaultConfiguration.SourceName);
        }
    }
}
