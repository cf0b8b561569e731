using Shim.Abstractions;
using Shim.Configuration;
using Shim.PluginHost.Selection;
using Shim.Toml;
using Shim.Topology;

namespace Shim.Sandbox.Preflight;

/// <summary>
/// Maps the effective configuration onto the inputs of the planner and the plugin host. Each of those projects
/// owns its own input records so that neither depends on the configuration model.
/// </summary>
public static class ConfigurationMapping
{
    public static TopologySettings ToTopologySettings(this KataplugConfiguration config)
    {
        var q = config.Hypervisor;
        return new TopologySettings
        {
            MachineType = q.MachineType.Value,
            ColdPlugVfio = ToTopology(q.ColdPlugVfio.Value),
            HotPlugVfio = ToTopology(q.HotPlugVfio.Value),
            PcieRootPort = q.PcieRootPort.Value,
            PcieSwitchPort = q.PcieSwitchPort.Value,
            DefaultBridges = q.DefaultBridges.Value,
            EnableIommu = q.EnableIommu.Value,
            SharedMemory = q.HasSharedMemoryBackend,
        };
    }

    public static SandboxDeviceSettings ToDeviceSettings(this KataplugConfiguration config)
    {
        var q = config.Hypervisor;
        return new SandboxDeviceSettings(
            ToAbstractions(q.ColdPlugVfio.Value),
            ToAbstractions(q.HotPlugVfio.Value),
            config.Runtime.VfioMode.Value == Shim.Configuration.VfioMode.Vfio ? Shim.Abstractions.VfioMode.Vfio : Shim.Abstractions.VfioMode.GuestKernel,
            q.PcieRootPort.Value,
            q.PcieSwitchPort.Value,
            q.HasSharedMemoryBackend);
    }

    /// <summary>The [plugins] section as the plugin host's selection: order, rules (with where each was written), settings.</summary>
    public static PluginSelection ToPluginSelection(this KataplugConfiguration config)
    {
        var plugins = config.Plugins;
        var rules = plugins.Rules.Select(r => new PluginMatchRule(
                r.Plugin,
                r.Action == PluginRuleAction.Exclude ? MatchAction.Exclude : MatchAction.Include,
                $"[[plugins.rule]] #{r.Index + 1} at {r.Origin}")
            {
                InterfaceGlob = r.Interface?.Pattern,
                VendorDevice = r.VendorDevice?.ToString(),
                HostDriver = r.Driver,
                Annotation = r.Annotation?.ToString(),
            })
            .ToArray();
        var settings = plugins.Settings.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyDictionary<string, object>)ToPlain(kv.Value.Table),
            StringComparer.Ordinal);
        return new PluginSelection(plugins.Enabled.Value, rules) { Settings = settings };
    }

    private static Dictionary<string, object> ToPlain(TomlTable table) =>
        table.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value), StringComparer.Ordinal);

    private static object ToPlain(TomlNode node) => node switch
    {
        TomlTable t => ToPlain(t),
        TomlArray a => a.Select(ToPlain).ToList(),
        TomlValue v => v.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "unknown TOML node"),
    };

    private static PortType ToTopology(PciePortType t) => t switch
    {
        PciePortType.BridgePort => PortType.BridgePort,
        PciePortType.RootPort => PortType.RootPort,
        PciePortType.SwitchPort => PortType.SwitchPort,
        _ => PortType.NoPort,
    };

    private static PciPortType ToAbstractions(PciePortType t) => t switch
    {
        PciePortType.BridgePort => PciPortType.BridgePort,
        PciePortType.RootPort => PciPortType.RootPort,
        PciePortType.SwitchPort => PciPortType.SwitchPort,
        _ => PciPortType.NoPort,
    };
}
