using System.Collections.Concurrent;

namespace Shim.HostPci;

/// <summary>
/// Reads PCI functions and IOMMU groups from sysfs under a <see cref="SysfsRoot"/>. Read-only; entries whose names
/// are not strict BDFs, or whose links resolve outside the root, are skipped with a warning.
/// </summary>
public static class PciInventory
{
    public static HostInventory Read(SysfsRoot root)
    {
        var facts = HostFactsReader.Read(root);
        var warnings = new ConcurrentQueue<string>();
        var addresses = new List<PciAddress>();
        if (Directory.Exists(root.PciDevicesDir))
        {
            foreach (var name in Directory.EnumerateFileSystemEntries(root.PciDevicesDir).Select(Path.GetFileName))
            {
                if (PciAddress.TryParse(name, out var a) && a.ToString() == name) addresses.Add(a);
                else warnings.Enqueue($"ignored {root.PciDevicesDir}/{PciAddress.Printable(name)}: not a canonical BDF");
            }
        }
        var blocks = BlockDeviceMap.Read(root);
        var netdevs = NetdevNames(root);
        var functions = new PciFunction?[addresses.Count];
        // Two-way parallelism is enough: the work is syscall-bound and a 4,096-function host must stay under 50 ms.
        Parallel.For(0, addresses.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) },
            i => functions[i] = ReadFunction(root, addresses[i], blocks, warnings, netdevs));
        var byAddress = new Dictionary<PciAddress, PciFunction>(addresses.Count);
        foreach (var f in functions)
            if (f is not null) byAddress[f.Address] = f;
        var groups = byAddress.Values
            .Where(f => f.IommuGroup is not null)
            .GroupBy(f => f.IommuGroup!.Value)
            .OrderBy(g => g.Key)
            .Select(g => new IommuGroup(g.Key, g.OrderBy(f => f.Address).ToList()))
            .ToList();
        return new HostInventory(facts, byAddress, groups, warnings.ToList());
    }

    /// <summary>Reads one function; null when it does not exist (or is not a safe path).</summary>
    public static PciFunction? ReadFunction(SysfsRoot root, PciAddress address) =>
        ReadFunction(root, address, BlockDeviceMap.Read(root), null);

    /// <summary>Reads the members of one group from <c>/sys/kernel/iommu_groups/&lt;N&gt;/devices</c>.</summary>
    public static IommuGroup ReadGroup(SysfsRoot root, int group)
    {
        var dir = Path.Combine(root.IommuGroup(group), "devices");
        if (!Directory.Exists(dir))
            throw new InvalidOperationException(
                $"IOMMU group {group} does not exist ({dir} is missing); list groups with `kataplug inventory`");
        var blocks = BlockDeviceMap.Read(root);
        var members = new List<PciFunction>();
        foreach (var name in Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName))
        {
            if (!PciAddress.TryParse(name, out var a) || a.ToString() != name) continue;
            var f = ReadFunction(root, a, blocks, null);
            if (f is not null) members.Add(f);
        }
        members.Sort((x, y) => x.Address.CompareTo(y.Address));
        return new IommuGroup(group, members);
    }

    private static PciFunction? ReadFunction(SysfsRoot root, PciAddress address, BlockDeviceMap blocks, ConcurrentQueue<string>? warnings,
        Dictionary<PciAddress, List<string>>? netdevs = null)
    {
        var link = root.Device(address);
        var real = root.ResolveLinkLexically(link, SysfsReader.ReadLink(link)) ?? (Directory.Exists(link) ? link : null);
        if (real is null || !root.Contains(real))
        {
            warnings?.Enqueue($"ignored {link}: missing or resolves outside {root.Path}");
            return null;
        }
        // Absent optional entries (physfn, sriov_*, net/) cost one failed system call each, never an exception.
        // uevent gives driver, class and IDs in one read; the individual attributes are the fallback.
        var uevent = PciUevent.Read(real + "/uevent");
        uint? vendor = uevent?.Vendor ?? SysfsReader.ReadHex(real + "/vendor");
        if (vendor is null)
        {
            warnings?.Enqueue($"ignored {link}: no readable vendor attribute");
            return null;
        }
        string? driver = uevent is { } u ? u.Driver : SysfsReader.LinkBasename(real + "/driver");
        if (driver is not null && !SysfsName.IsValid(driver)) driver = null;
        var overrideText = SysfsReader.ReadAttribute(real + "/driver_override");
        int? group = SysfsName.TryParseGroup(SysfsReader.LinkBasename(real + "/iommu_group"), out var g) ? g : null;
        PciAddress? physfn = PciAddress.TryParse(SysfsReader.LinkBasename(real + "/physfn"), out var pf) ? pf : null;
        int? totalVfs = physfn is null ? SysfsReader.ReadDecimal(real + "/sriov_totalvfs") : null;
        int? numVfs = totalVfs is null ? null : SysfsReader.ReadDecimal(real + "/sriov_numvfs");
        var vfs = new List<PciAddress>(numVfs ?? 0);
        for (int i = 0; i < (numVfs ?? 0); i++)
            if (PciAddress.TryParse(SysfsReader.LinkBasename(real + "/virtfn" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var vf))
                vfs.Add(vf);
        var nets = ReadNet(real + "/net", netdevs is null ? null : netdevs.TryGetValue(address, out var names) ? names : []);
        return new PciFunction(
            address,
            (ushort)vendor.Value,
            (ushort)(uevent?.Device ?? SysfsReader.ReadHex(real + "/device") ?? 0xffff),
            new PciClassCode(uevent?.Class ?? SysfsReader.ReadHex(real + "/class") ?? 0xffffff),
            driver,
            overrideText is null or "(null)" or "" ? null : overrideText,
            IsPcie: ConfigSize(real + "/config") > 256,
            group,
            physfn,
            vfs,
            totalVfs,
            numVfs,
            nets,
            blocks.For(address),
            real);
    }

    /// <summary>One stat; config always exists for a PCI function.</summary>
    private static long ConfigSize(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : -1;
    }

    /// <summary>
    /// Netdev names per function from one listing of <c>sys/class/net</c> and one readlink per interface
    /// (<c>../../devices/…/&lt;BDF&gt;/net/&lt;if&gt;</c>), instead of opening every function's net/ directory.
    /// Both views are filtered by the same network namespace (sysfs-pci.md §4).
    /// </summary>
    private static Dictionary<PciAddress, List<string>> NetdevNames(SysfsRoot root)
    {
        var map = new Dictionary<PciAddress, List<string>>();
        var classNet = root.Sys + "/class/net";
        foreach (var name in SysfsReader.ListDirectory(classNet))
        {
            if (!SysfsName.IsValid(name)) continue;
            var target = SysfsReader.ReadLink(classNet + "/" + name);
            if (target is null) continue;
            var parts = target.Split('/');
            if (parts.Length < 3 || parts[^2] != "net" || parts[^1] != name || !PciAddress.TryParse(parts[^3], out var owner)) continue;
            (map.TryGetValue(owner, out var list) ? list : map[owner] = new List<string>()).Add(name);
        }
        return map;
    }

    private static IReadOnlyList<NetInterface> ReadNet(string netDir, List<string>? knownNames)
    {
        var names = knownNames ?? SysfsReader.ListDirectory(netDir);
        if (names.Count == 0) return Array.Empty<NetInterface>();
        var list = new List<NetInterface>(names.Count);
        foreach (var name in names)
        {
            if (!SysfsName.IsValid(name)) continue;
            var dir = netDir + "/" + name;
            // IFF_UP (0x1) is the administrative state; operstate is read only when flags is missing.
            var flags = SysfsReader.ReadHex(dir + "/flags");
            bool up = flags is { } f ? (f & 1) != 0 : SysfsReader.ReadAttribute(dir + "/operstate") == "up";
            list.Add(new NetInterface(name, up));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }
}
