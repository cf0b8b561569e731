using System.Collections.Concurrent;
using System.IO.Enumeration;

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
        var functions = new PciFunction?[addresses.Count];
        // Two-way parallelism is enough: the work is syscall-bound and a 4,096-function host must stay under 50 ms.
        Parallel.For(0, addresses.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) },
            i => functions[i] = ReadFunction(root, addresses[i], blocks, warnings));
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

    [Flags]
    private enum Entries
    {
        None = 0, Driver = 1, Override = 2, Group = 4, PhysFn = 8, TotalVfs = 16, NumVfs = 32, Net = 64, Config = 128,
    }

    private static PciFunction? ReadFunction(SysfsRoot root, PciAddress address, BlockDeviceMap blocks, ConcurrentQueue<string>? warnings)
    {
        var link = root.Device(address);
        var real = root.ResolveLinkLexically(link, SysfsReader.ReadLink(link)) ?? (Directory.Exists(link) && !IsLink(link) ? link : null);
        if (real is null || !Directory.Exists(real))
        {
            warnings?.Enqueue($"ignored {link}: missing or resolves outside {root.Path}");
            return null;
        }
        var present = Entries.None;
        long configSize = 0;
        List<(int Index, string Path)>? virtfns = null;
        var enumeration = new FileSystemEnumerable<string?>(real, (ref FileSystemEntry e) =>
        {
            var n = e.FileName;
            switch (n)
            {
                case "driver": present |= Entries.Driver; break;
                case "driver_override": present |= Entries.Override; break;
                case "iommu_group": present |= Entries.Group; break;
                case "physfn": present |= Entries.PhysFn; break;
                case "sriov_totalvfs": present |= Entries.TotalVfs; break;
                case "sriov_numvfs": present |= Entries.NumVfs; break;
                case "net": present |= Entries.Net; break;
                case "config": present |= Entries.Config; configSize = e.Length; break;
                default:
                    if (n.StartsWith("virtfn", StringComparison.Ordinal) && int.TryParse(n[6..], out var index))
                        (virtfns ??= new()).Add((index, e.ToFullPath()));
                    break;
            }
            return null;
        }, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false });
        foreach (var _ in enumeration) { }

        string? driver = (present & Entries.Driver) != 0 ? SysfsReader.LinkBasename(Path.Combine(real, "driver")) : null;
        if (driver is not null && !SysfsName.IsValid(driver)) driver = null;
        string? overrideValue = null;
        if ((present & Entries.Override) != 0)
        {
            var text = SysfsReader.ReadAttribute(Path.Combine(real, "driver_override"));
            overrideValue = text is null or "(null)" or "" ? null : text;
        }
        int? group = null;
        if ((present & Entries.Group) != 0 && SysfsName.TryParseGroup(SysfsReader.LinkBasename(Path.Combine(real, "iommu_group")), out var g))
            group = g;
        PciAddress? physfn = null;
        if ((present & Entries.PhysFn) != 0 && PciAddress.TryParse(SysfsReader.LinkBasename(Path.Combine(real, "physfn")), out var pf))
            physfn = pf;
        var vfs = new List<PciAddress>();
        if (virtfns is not null)
        {
            virtfns.Sort((x, y) => x.Index.CompareTo(y.Index));
            foreach (var (_, path) in virtfns)
                if (PciAddress.TryParse(SysfsReader.LinkBasename(path), out var vf)) vfs.Add(vf);
        }
        var nets = (present & Entries.Net) != 0 ? ReadNet(Path.Combine(real, "net")) : Array.Empty<NetInterface>();
        return new PciFunction(
            address,
            (ushort)(SysfsReader.ReadHex(Path.Combine(real, "vendor")) ?? 0xffff),
            (ushort)(SysfsReader.ReadHex(Path.Combine(real, "device")) ?? 0xffff),
            new PciClassCode(SysfsReader.ReadHex(Path.Combine(real, "class")) ?? 0xffffff),
            driver,
            overrideValue,
            IsPcie: configSize > 256,
            group,
            physfn,
            vfs,
            (present & Entries.TotalVfs) != 0 ? SysfsReader.ReadDecimal(Path.Combine(real, "sriov_totalvfs")) : null,
            (present & Entries.NumVfs) != 0 ? SysfsReader.ReadDecimal(Path.Combine(real, "sriov_numvfs")) : null,
            nets,
            blocks.For(address),
            real);
    }

    private static bool IsLink(string path) => SysfsReader.ReadLink(path) is not null;

    private static IReadOnlyList<NetInterface> ReadNet(string netDir)
    {
        var list = new List<NetInterface>();
        foreach (var dir in Directory.EnumerateFileSystemEntries(netDir))
        {
            var name = Path.GetFileName(dir);
            if (!SysfsName.IsValid(name)) continue;
            var flags = SysfsReader.ReadHex(Path.Combine(dir, "flags"));
            var oper = SysfsReader.ReadAttribute(Path.Combine(dir, "operstate"));
            // IFF_UP (0x1) is the administrative state; operstate "up" covers trees without a flags file.
            bool up = (flags is { } f && (f & 1) != 0) || oper == "up";
            list.Add(new NetInterface(name, up, oper));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }
}
