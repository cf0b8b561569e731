namespace Shim.Qemu;

/// <summary>How q35 signals PCI hotplug to the guest (qmp.md §7.2).</summary>
public enum PciHotplugMode
{
    /// <summary>q35 default: ACPI (acpiphp). Unplug completes in ~0.1 s with a guest; never without one.</summary>
    Acpi,

    /// <summary>Native PCIe (pciehp): <c>-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off</c>. Unplug takes
    /// ~6 s with a guest (attention-button delay); a hot-added device without a guest goes at once.</summary>
    Native,
}
