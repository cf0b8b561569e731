namespace Shim.HostPci;

/// <summary>A snapshot of the host: facts, every PCI function and every IOMMU group.</summary>
public sealed record HostInventory(
    HostFacts Facts,
    IReadOnlyDictionary<PciAddress, PciFunction> Functions,
    IReadOnlyList<IommuGroup> Groups,
    IReadOnlyList<string> Warnings)
{
    public IommuGroup? Group(int number) => Groups.FirstOrDefault(g => g.Number == number);
}
