namespace Shim.Abstractions;

/// <summary>Read-only view of the host's PCI functions. The host builds it from sysfs; plugins never touch sysfs.</summary>
public interface IPciInventoryView
{
    /// <summary>The function at <paramref name="bdf"/>, or null when the host has none (or the text is not a BDF).</summary>
    PciFunctionInfo? Find(string bdf);

    /// <summary>Every member of IOMMU group <paramref name="group"/>, bridges included, in BDF order; empty when unknown.</summary>
    IReadOnlyList<PciFunctionInfo> GetIommuGroup(int group);

    /// <summary>The function behind an IOMMUFD cdev such as <c>vfio3</c> (<c>/dev/vfio/devices/vfio3</c>), or null.</summary>
    PciFunctionInfo? FindByVfioCdev(string cdevName);
}
