using Shim.Abstractions;
using Shim.HostPci;

namespace Shim.Sandbox.Preflight;

/// <summary>The read-only PCI view plugins get, backed by one sysfs inventory snapshot.</summary>
public sealed class HostPciInventoryView : IPciInventoryView
{
    private readonly HostInventory _inventory;
    private readonly SysfsRoot _root;

    public HostPciInventoryView(HostInventory inventory, SysfsRoot root)
    {
        _inventory = inventory;
        _root = root;
    }

    public PciFunctionInfo? Find(string bdf) =>
        PciAddress.TryParse(bdf, out var address) && _inventory.Functions.TryGetValue(address, out var f) ? ToInfo(f) : null;

    public IReadOnlyList<PciFunctionInfo> GetIommuGroup(int group) =>
        _inventory.Group(group)?.Members.Select(ToInfo).ToArray() ?? [];

    public PciFunctionInfo? FindByVfioCdev(string cdevName)
    {
        // /sys/bus/pci/devices/<bdf>/vfio-dev/<vfioN> names the function behind an IOMMUFD cdev.
        if (!SysfsName.IsValid(cdevName)) return null;
        foreach (var f in _inventory.Functions.Values)
        {
            if (Directory.Exists(Path.Combine(f.RealPath, "vfio-dev", cdevName))) return ToInfo(f);
        }
        return null;
    }

    public PciFunctionInfo ToInfo(PciFunction f)
    {
        int? vfIndex = null;
        if (f.PhysFn is { } pf && _inventory.Functions.TryGetValue(pf, out var parent))
        {
            var i = parent.VirtFns.ToList().IndexOf(f.Address);
            vfIndex = i >= 0 ? i : null;
        }
        return new PciFunctionInfo(
            f.Address.ToString(), f.Vendor, f.DeviceId, f.Class.Value, f.Driver, f.PhysFn?.ToString(), vfIndex,
            f.IommuGroup, f.NetInterfaces.Select(n => n.Name).ToArray(), f.IsPcie);
    }

    public override string ToString() => $"PCI inventory of {_root.Path}";
}
