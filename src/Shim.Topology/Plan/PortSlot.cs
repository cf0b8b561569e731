using System.Text.Json.Serialization;

namespace Shim.Topology;

/// <summary>
/// A place one function can be plugged: a root port, a switch downstream port (device at slot 0 of its bus),
/// or one slot of a pci-bridge. <see cref="Id"/> is the free-list key; <see cref="Bus"/> is a bus id that exists
/// in the generated topology.
/// </summary>
/// <param name="Id"><c>rp0</c>, <c>swdp3</c>, <c>pci-bridge-0/0x01</c>.</param>
/// <param name="Addr">The device slot on <see cref="Bus"/>: 0 on root/downstream ports, 1..30 on a bridge.</param>
public sealed record PortSlot(string Id, PortType Type, string Bus, int Addr)
{
    [JsonIgnore]
    public string AddrHex => "0x" + Addr.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
