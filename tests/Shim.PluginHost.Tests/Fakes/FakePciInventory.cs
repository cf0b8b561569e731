using Shim.Abstractions;

namespace Shim.PluginHost.Tests.Fakes;

/// <summary>An in-memory host PCI inventory.</summary>
public sealed class FakePciInventory : IPciInventoryView
{
    private readonly List<PciFunctionInfo> _functions = [];
    private readonly Dictionary<string, string> _cdevs = new();

    public FakePciInventory Add(PciFunctionInfo function)
    {
        _functions.Add(function);
        return this;
    }

    public FakePciInventory AddCdev(string cdev, string bdf)
    {
        _cdevs[cdev] = bdf;
        return this;
    }

    /// <summary>A Mellanox ConnectX VF of <paramref name="pf"/> bound to mlx5_core.</summary>
    public FakePciInventory AddVf(string bdf, string pf, int index, int group, string driver = "mlx5_core") =>
        Add(new PciFunctionInfo(bdf, 0x15b3, 0x101e, 0x020000, driver, pf, index, group, []));

    public FakePciInventory AddPf(string bdf, int group, string driver = "mlx5_core", string? netdev = "ens1f0") =>
        Add(new PciFunctionInfo(bdf, 0x15b3, 0x101d, 0x020000, driver, null, null, group, netdev is null ? [] : [netdev]));

    public PciFunctionInfo? Find(string bdf) => _functions.FirstOrDefault(f => f.Bdf == bdf);

    public IReadOnlyList<PciFunctionInfo> GetIommuGroup(int group) => _functions.Where(f => f.IommuGroup == group).OrderBy(f => f.Bdf, StringComparer.Ordinal).ToList();

    public PciFunctionInfo? FindByVfioCdev(string cdevName) => _cdevs.TryGetValue(cdevName, out var bdf) ? Find(bdf) : null;
}
