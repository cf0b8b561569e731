namespace Shim.Topology;

/// <summary>Which key sizes each port type, its limit, and the smallest count that gives <c>n</c> places.</summary>
internal static class PortCounts
{
    public static TopologySetting CountSetting(PortType type) => type switch
    {
        PortType.RootPort => TopologySetting.PcieRootPort,
        PortType.SwitchPort => TopologySetting.PcieSwitchPort,
        PortType.BridgePort => TopologySetting.DefaultBridges,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no-port has no count"),
    };

    public static int Configured(TopologySettings s, PortType type) => type switch
    {
        PortType.RootPort => s.PcieRootPort,
        PortType.SwitchPort => s.PcieSwitchPort,
        PortType.BridgePort => s.DefaultBridges,
        _ => 0,
    };

    /// <summary>Largest allowed value of the count key.</summary>
    public static int Limit(TopologyLimits l, PortType type) => type switch
    {
        PortType.RootPort => l.MaxRootPorts,
        PortType.SwitchPort => l.MaxSwitchPorts,
        PortType.BridgePort => l.MaxBridges,
        _ => 0,
    };

    /// <summary>Count key value needed for <paramref name="places"/> functions (bridges hold several each).</summary>
    public static int Needed(TopologyLimits l, PortType type, int places) =>
        type == PortType.BridgePort ? (places + l.BridgeSlots - 1) / l.BridgeSlots : places;

    /// <summary>Places the key value gives once created (clamped only because the excess is reported).</summary>
    public static int Places(TopologySettings s, MachineFamily family, PortType type)
    {
        if (!family.Supports(type) || type == PortType.NoPort)
        {
            return 0;
        }

        var count = Math.Clamp(Configured(s, type), 0, Limit(s.Limits, type));
        return type == PortType.BridgePort ? count * s.Limits.BridgeSlots : count;
    }

    /// <summary>The change "count key >= needed", or null when the current value already suffices.</summary>
    public static SettingChange? AtLeastFor(TopologySettings s, PortType type, int places)
    {
        var needed = Needed(s.Limits, type, places);
        return Configured(s, type) >= needed ? null : SettingChange.AtLeast(s, CountSetting(type), needed);
    }

    /// <summary>
    /// The port type to suggest when a device has none: root ports where PCIe exists, bridges on pc; switch
    /// ports when more root ports would be needed than allowed; bridges when even that is not enough.
    /// </summary>
    public static PortType Suggest(TopologySettings s, MachineFamily family, int places)
    {
        if (family == MachineFamily.Pc)
        {
            return PortType.BridgePort;
        }

        if (places <= s.Limits.MaxRootPorts)
        {
            return PortType.RootPort;
        }

        return places <= s.Limits.MaxSwitchPorts ? PortType.SwitchPort : PortType.BridgePort;
    }
}
