using System.Text.Json;
using System.Text.Json.Nodes;
using Shim.Configuration;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Topology;

namespace Shim.Sandbox.Preflight;

/// <summary>Arguments of `kataplug plan`.</summary>
public sealed record OperatorPlanOptions(
    string? ConfigFile,
    string? SysfsRoot,
    IReadOnlyList<string> Devices,
    string? NetnsPath,
    IReadOnlyList<string> Annotations,
    bool Json,
    string? EnvironmentConfigFile = null,
    PluginOwnerPolicy PluginOwnerPolicy = PluginOwnerPolicy.RootOrCurrentUser);

/// <summary>
/// `kataplug plan`: the whole preflight with no side effect, printed. Exit codes: 0 = a plan, 2 = invalid (every
/// problem listed), 1 = could not run (bad arguments, unreadable configuration).
/// </summary>
public static class OperatorPlan
{
    public const int Planned = 0;
    public const int CouldNotRun = 1;
    public const int Invalid = 2;

    public static async Task<int> RunAsync(OperatorPlanOptions options, IConfigurationFileSystem files, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var argumentProblems = new List<string>();
        var annotations = AnnotationArguments.Parse(options.Annotations, argumentProblems);
        var devices = new List<PciAddress>();
        foreach (var d in options.Devices)
        {
            try
            {
                devices.Add(PciAddress.Parse(d));
            }
            catch (FormatException e)
            {
                argumentProblems.Add($"--device: {e.Message}");
            }
        }
        if (argumentProblems.Count > 0)
        {
            foreach (var p in argumentProblems) error.WriteLine(p);
            return CouldNotRun;
        }

        KataplugConfiguration config;
        try
        {
            config = ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Cli, EnvironmentConfigFile: options.EnvironmentConfigFile,
                Annotations: annotations.Count > 0 ? annotations : null, ExplicitFile: options.ConfigFile), files).Configuration;
        }
        catch (ConfigurationException e)
        {
            foreach (var p in e.Problems) error.WriteLine(p);
            return Invalid;
        }

        var sysfs = new SysfsRoot(options.SysfsRoot ?? config.Host.SysfsRoot.Value);
        var pluginsDir = config.Plugins.Directory.Value;
        PluginCatalog? catalog = null;
        var notes = new List<string>();
        if (config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir))
        {
            catalog = new PluginLoader(new PluginLoaderOptions(pluginsDir) { OwnerPolicy = options.PluginOwnerPolicy }).LoadAll();
        }
        else if (config.Plugins.Enabled.Value.Length > 0)
        {
            notes.Add($"plugins directory {pluginsDir} does not exist: no discovery ([plugins] directory in {config.SourceName})");
        }

        // Plugins read annotations from the OCI spec, as they do for a real sandbox.
        var spec = new JsonObject { ["annotations"] = new JsonObject(annotations.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))) };
        var request = new PreflightRequest(config, sysfs, "kataplug-plan", options.NetnsPath, spec.ToJsonString(), annotations, devices, catalog);
        var result = await SandboxPreflight.RunAsync(request, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        notes.AddRange(result.Notes);

        if (options.Json)
        {
            var json = new JsonObject
            {
                ["succeeded"] = result.Succeeded,
                ["configuration"] = config.SourceName,
                ["sysfsRoot"] = sysfs.Path,
                ["discoveryProblems"] = new JsonArray(result.DiscoveryProblems.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["notes"] = new JsonArray(notes.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["topology"] = JsonNode.Parse(PlanRenderer.ToJson(result.Topology)),
            };
            output.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            output.WriteLine($"configuration: {config.SourceName}");
            output.WriteLine($"sysfs root:    {sysfs.Path}");
            output.WriteLine($"devices:       {(result.DeviceRequests.Count == 0 ? "none" : string.Join("; ", result.DeviceRequests.Select(r => r.Ref.ToString())))}");
            foreach (var n in notes) output.WriteLine($"note: {n}");
            foreach (var p in result.DiscoveryProblems) output.WriteLine($"problem: {p}");
            output.WriteLine();
            output.Write(PlanRenderer.ToText(result.Topology));
        }

        if (!result.Succeeded)
        {
            var count = result.ProblemLines.Count();
            error.WriteLine($"kataplug plan: {count} problem{(count == 1 ? "" : "s")}; nothing was changed on the host");
            return Invalid;
        }
        return Planned;
    }
}
