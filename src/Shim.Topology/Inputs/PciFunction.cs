using System.Globalization;

namespace Shim.Topology;

/// <summary>One host PCI function to pass through (a member of an IOMMU group).</summary>
/// <param name="Bdf">Full form <c>0000:84:01.1</c>.</param>
/// <param name="ClassCode">The 24-bit sysfs <c>class</c> value, e.g. <c>0x020000</c>.</param>
/// <param name="IsPcie">Config space larger than 256 bytes (informational; every function gets its own port).</param>
public sealed record PciFunction(string Bdf, ushort VendorId, ushort DeviceId, uint ClassCode, bool IsPcie, int IommuGroup)
{
    /// <summary>
    /// Host bridges (0x0600) and PCI-to-PCI bridges (0x0604) are never passed through; exact match, as Kata's Go
    /// runtime does, so "Bridge: Other" (0x0680, e.g. NVSwitch) stays in.
    /// </summary>
    public bool IsBridge => (ClassCode >> 8) is 0x0600 or 0x0604;

    internal string ClassHex => "0x" + ClassCode.ToString("x6", CultureInfo.InvariantCulture);
}
