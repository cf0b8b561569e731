namespace Shim.Abstractions;

/// <summary>The value of <c>cold_plug_vfio</c> / <c>hot_plug_vfio</c>, with Kata's spelling in <see cref="PciPortTypeText"/>.</summary>
public enum PciPortType
{
    NoPort,
    BridgePort,
    RootPort,
    SwitchPort,
}

/// <summary>Kata's configuration spelling of <see cref="PciPortType"/>.</summary>
public static class PciPortTypeText
{
    public static string ToConfigText(this PciPortType type) => type switch
    {
        PciPortType.NoPort => "no-port",
        PciPortType.BridgePort => "bridge-port",
        PciPortType.RootPort => "root-port",
        PciPortType.SwitchPort => "switch-port",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown PCI port type"),
    };
}
