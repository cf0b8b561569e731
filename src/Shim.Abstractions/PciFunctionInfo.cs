namespace Shim.Abstractions;

/// <summary>One host PCI function as sysfs shows it (<c>/sys/bus/pci/devices/&lt;Bdf&gt;</c>).</summary>
/// <param name="Bdf">Canonical lower-case <c>dddd:bb:dd.f</c>.</param>
/// <param name="ClassCode">The 24-bit <c>class</c> value (e.g. 0x020000 for Ethernet).</param>
/// <param name="Driver">Basename of the <c>driver</c> link, or null when unbound.</param>
/// <param name="PhysFn">BDF the <c>physfn</c> link points at (set only for SR-IOV VFs).</param>
/// <param name="VfIndex">For a VF, the <c>N</c> of the PF's <c>virtfnN</c> link that points at it.</param>
/// <param name="IommuGroup">Basename of the <c>iommu_group</c> link, or null without an active IOMMU.</param>
/// <param name="NetInterfaces">Host-netns netdev names under <c>net/</c> (a VF moved into a pod netns is not listed).</param>
/// <param name="IsPcie">Config space larger than 256 bytes.</param>
public sealed record PciFunctionInfo(
    string Bdf,
    ushort Vendor,
    ushort Device,
    uint ClassCode,
    string? Driver,
    string? PhysFn,
    int? VfIndex,
    int? IommuGroup,
    IReadOnlyList<string> NetInterfaces,
    bool IsPcie = true)
{
    public bool IsVirtualFunction => PhysFn is not null;

    /// <summary>Base class and subclass (class &gt;&gt; 8), e.g. 0x0200 Ethernet, 0x0604 PCI bridge.</summary>
    public ushort ClassAndSubclass => (ushort)(ClassCode >> 8);

    public bool IsNetworkController => ClassCode >> 16 == 0x02;

    /// <summary>Host bridge (0x0600) or PCI-to-PCI bridge (0x0604): never passed through (exact match keeps 0x0680 in).</summary>
    public bool IsBridge => ClassAndSubclass is 0x0600 or 0x0604;

    /// <summary><c>vvvv:dddd</c> in lower-case hex, the form match rules use.</summary>
    public string VendorDevice => $"{Vendor:x4}:{Device:x4}";
}
