namespace Shim.Topology;

/// <summary>Where a VFIO device is plugged: the values of Kata's <c>cold_plug_vfio</c>/<c>hot_plug_vfio</c>.</summary>
public enum PortType
{
    NoPort,
    BridgePort,
    RootPort,
    SwitchPort,
}

public static class PortTypeNames
{
    /// <summary>The configuration spelling, e.g. <c>root-port</c>.</summary>
    public static string ToConfigValue(this PortType type) => type switch
    {
        PortType.NoPort => "no-port",
        PortType.BridgePort => "bridge-port",
        PortType.RootPort => "root-port",
        PortType.SwitchPort => "switch-port",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown port type"),
    };

    public static bool TryParse(string? value, out PortType type)
    {
        foreach (var candidate in Enum.GetValues<PortType>())
        {
            if (string.Equals(candidate.ToConfigValue(), value, StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }

        type = PortType.NoPort;
        return false;
    }

    /// <summary>What one function occupies, as said in messages ("needs a root port").</summary>
    public static string Noun(this PortType type) => type switch
    {
        PortType.BridgePort => "bridge slot",
        PortType.RootPort => "root port",
        PortType.SwitchPort => "switch port",
        _ => "port",
    };
}
