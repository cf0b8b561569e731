using System.Globalization;

namespace Shim.Topology;

/// <summary>
/// The effective configuration (file + annotations) the planner needs. The lead maps Shim.Configuration onto it;
/// <see cref="Keys"/> says how each value is named to the operator.
/// </summary>
public sealed record TopologySettings
{
    public string MachineType { get; init; } = "q35";
    public PortType ColdPlugVfio { get; init; } = PortType.NoPort;
    public PortType HotPlugVfio { get; init; } = PortType.NoPort;
    public int PcieRootPort { get; init; }
    public int PcieSwitchPort { get; init; }
    public int DefaultBridges { get; init; } = 1;
    public bool EnableIommu { get; init; }

    /// <summary>Guest RAM lives in a shared (<c>share=on</c>) memory backend, as vhost-user requires.</summary>
    public bool SharedMemory { get; init; }

    public TopologyKeys Keys { get; init; } = TopologyKeys.Kata;
    public TopologyLimits Limits { get; init; } = TopologyLimits.Default;

    public MachineFamily Family => MachineFamilies.Classify(MachineType);

    /// <summary>The current value as written in TOML (quoted for strings), for messages.</summary>
    public string Current(TopologySetting setting) => setting switch
    {
        TopologySetting.MachineType => Quote(MachineType),
        TopologySetting.ColdPlugVfio => Quote(ColdPlugVfio.ToConfigValue()),
        TopologySetting.HotPlugVfio => Quote(HotPlugVfio.ToConfigValue()),
        TopologySetting.PcieRootPort => Number(PcieRootPort),
        TopologySetting.PcieSwitchPort => Number(PcieSwitchPort),
        TopologySetting.DefaultBridges => Number(DefaultBridges),
        TopologySetting.EnableIommu => Bool(EnableIommu),
        TopologySetting.SharedMemory => Bool(SharedMemory),
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "unknown setting"),
    };

    /// <summary>Applies a suggested change (used by the CLI's "what if" and by the property tests).</summary>
    public TopologySettings Apply(SettingChange change)
    {
        int Int(int current)
        {
            var v = int.Parse(change.Value, CultureInfo.InvariantCulture);
            return change.Kind switch
            {
                ChangeKind.AtLeast => Math.Max(current, v),
                ChangeKind.AtMost => Math.Min(current, v),
                _ => v,
            };
        }

        PortType Port()
        {
            if (!PortTypeNames.TryParse(change.Value, out var t))
            {
                throw new ArgumentException($"'{change.Value}' is not a port type; use no-port, bridge-port, root-port or switch-port", nameof(change));
            }

            return t;
        }

        return change.Setting switch
        {
            TopologySetting.MachineType => this with { MachineType = change.Value },
            TopologySetting.ColdPlugVfio => this with { ColdPlugVfio = Port() },
            TopologySetting.HotPlugVfio => this with { HotPlugVfio = Port() },
            TopologySetting.PcieRootPort => this with { PcieRootPort = Int(PcieRootPort) },
            TopologySetting.PcieSwitchPort => this with { PcieSwitchPort = Int(PcieSwitchPort) },
            TopologySetting.DefaultBridges => this with { DefaultBridges = Int(DefaultBridges) },
            TopologySetting.EnableIommu => this with { EnableIommu = bool.Parse(change.Value) },
            TopologySetting.SharedMemory => this with { SharedMemory = bool.Parse(change.Value) },
            _ => throw new ArgumentOutOfRangeException(nameof(change), change.Setting, "unknown setting"),
        };
    }

    public TopologySettings ApplyAll(IEnumerable<SettingChange> changes) => changes.Aggregate(this, (s, c) => s.Apply(c));

    internal static string Quote(string value) => "\"" + value + "\"";

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Bool(bool value) => value ? "true" : "false";
}
