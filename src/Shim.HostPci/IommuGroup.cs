namespace Shim.HostPci;

/// <summary>
/// An IOMMU group: the unit of assignment. <see cref="Members"/> lists every function (bridges included) as in
/// <c>/sys/kernel/iommu_groups/&lt;N&gt;/devices</c>; <see cref="Assignable"/> lists the ones that go with the device
/// (all but classes 0x0600/0x0604).
/// </summary>
public sealed record IommuGroup(int Number, IReadOnlyList<PciFunction> Members)
{
    public IEnumerable<PciFunction> Assignable => Members.Where(m => !m.IsIgnoredBridge);
    public IEnumerable<PciFunction> Bridges => Members.Where(m => m.IsIgnoredBridge);
}
