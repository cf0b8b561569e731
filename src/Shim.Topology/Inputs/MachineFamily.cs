namespace Shim.Topology;

/// <summary>The QEMU machine families that matter for port placement.</summary>
public enum MachineFamily
{
    /// <summary>x86 <c>q35</c>: PCIe root complex <c>pcie.0</c>, root ports, switches, vIOMMU.</summary>
    Q35,

    /// <summary>arm64 <c>virt</c>: PCIe root complex <c>pcie.0</c>, root ports and switches; no intel-iommu.</summary>
    Virt,

    /// <summary>x86 <c>pc</c> (i440fx): conventional PCI root bus <c>pci.0</c>, bridges only.</summary>
    Pc,

    /// <summary>Anything else (microvm, s390-ccw-virtio, …): no PCI ports to plan.</summary>
    Other,
}

public static class MachineFamilies
{
    public static MachineFamily Classify(string machineType)
    {
        var m = machineType.Trim();
        if (m == "q35" || m.StartsWith("pc-q35", StringComparison.Ordinal))
        {
            return MachineFamily.Q35;
        }

        if (m == "virt" || m.StartsWith("virt-", StringComparison.Ordinal))
        {
            return MachineFamily.Virt;
        }

        if (m == "pc" || m.StartsWith("pc-i440fx", StringComparison.Ordinal) || m == "i440fx")
        {
            return MachineFamily.Pc;
        }

        return MachineFamily.Other;
    }

    public static bool HasPcieRootComplex(this MachineFamily family) => family is MachineFamily.Q35 or MachineFamily.Virt;

    /// <summary>Root bus id QEMU gives the machine (what root ports and bridges plug into).</summary>
    public static string RootBus(this MachineFamily family) => family == MachineFamily.Pc ? "pci.0" : "pcie.0";

    /// <summary>Whether <paramref name="type"/> can exist on this machine.</summary>
    public static bool Supports(this MachineFamily family, PortType type) => type switch
    {
        PortType.NoPort => true,
        PortType.BridgePort => family != MachineFamily.Other,
        PortType.RootPort or PortType.SwitchPort => family.HasPcieRootComplex(),
        _ => false,
    };
}
