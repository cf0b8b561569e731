namespace Shim.Configuration;

/// <summary>The TOML spellings of the enums (Kata's values), both ways.</summary>
public static class ConfigurationNames
{
    public static IReadOnlyDictionary<string, PciePortType> PortTypes { get; } = new Dictionary<string, PciePortType>(StringComparer.Ordinal)
    {
        ["no-port"] = PciePortType.NoPort,
        ["bridge-port"] = PciePortType.BridgePort,
        ["root-port"] = PciePortType.RootPort,
        ["switch-port"] = PciePortType.SwitchPort,
    };

    public static IReadOnlyDictionary<string, VfioMode> VfioModes { get; } = new Dictionary<string, VfioMode>(StringComparer.Ordinal)
    {
        ["guest-kernel"] = VfioMode.GuestKernel,
        ["vfio"] = VfioMode.Vfio,
    };

    public static IReadOnlyDictionary<string, QemuAccelerator> Accelerators { get; } = new Dictionary<string, QemuAccelerator>(StringComparer.Ordinal)
    {
        ["tcg"] = QemuAccelerator.Tcg,
        ["kvm"] = QemuAccelerator.Kvm,
    };

    public static IReadOnlyDictionary<string, PluginRuleAction> RuleActions { get; } = new Dictionary<string, PluginRuleAction>(StringComparer.Ordinal)
    {
        ["include"] = PluginRuleAction.Include,
        ["exclude"] = PluginRuleAction.Exclude,
    };

    public static string ToToml(this PciePortType value) => Name(PortTypes, value);
    public static string ToToml(this VfioMode value) => Name(VfioModes, value);
    public static string ToToml(this QemuAccelerator value) => Name(Accelerators, value);
    public static string ToToml(this PluginRuleAction value) => Name(RuleActions, value);

    private static string Name<T>(IReadOnlyDictionary<string, T> map, T value) where T : struct, Enum =>
        map.First(kv => EqualityComparer<T>.Default.Equals(kv.Value, value)).Key;
}
