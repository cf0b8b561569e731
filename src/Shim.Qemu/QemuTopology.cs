namespace Shim.Qemu;

/// <summary>
/// The PCIe ports created at start (q35's <c>pcie.0</c> refuses hotplug, so every port must exist on the command line).
/// Bus names are the port ids; guest bus numbers are assigned by firmware and never predicted here.
/// </summary>
public sealed record QemuTopology(
    IReadOnlyList<PcieRootPort> RootPorts,
    IReadOnlyList<PcieSwitch> Switches,
    IReadOnlyList<PciBridge> Bridges)
{
    public static QemuTopology Empty { get; } = new([], [], []);

    /// <summary><paramref name="count"/> root ports <c>rp0..</c> with chassis/slot 1.. (unique pairs).</summary>
    public static QemuTopology WithRootPorts(int count) =>
        new([.. Enumerable.Range(0, count).Select(i => new PcieRootPort($"rp{i}", Chassis: i + 1, Slot: i + 1))], [], []);
}

/// <summary><c>-device pcie-root-port,id=…,bus=pcie.0,chassis=…,slot=…</c>. (Chassis, Slot) is the slot identity
/// the guest's pciehp shows and must be unique; it is not the PCI address (<see cref="Addr"/> pins that).</summary>
public sealed record PcieRootPort(
    string Id,
    int Chassis,
    int Slot,
    string? Addr = null,
    bool Hotplug = true,
    int? BusReserve = null,
    string? MemReserve = null,
    string? Pref64Reserve = null);

/// <summary>A PCIe switch: <c>x3130-upstream</c> behind root port <see cref="RootPortId"/> and its downstream ports.</summary>
public sealed record PcieSwitch(string UpstreamId, string RootPortId, IReadOnlyList<PcieDownstreamPort> DownstreamPorts);

/// <summary><c>-device xio3130-downstream,id=…,bus=&lt;upstream&gt;,chassis=…,slot=…</c>.</summary>
public sealed record PcieDownstreamPort(string Id, int Chassis, int Slot, bool Hotplug = true);

/// <summary>A conventional <c>pci-bridge</c> (SHPC hotplug; devices behind it share its IOMMU group).</summary>
public sealed record PciBridge(string Id, int ChassisNr, string Bus = "pcie.0", string? Addr = null);
