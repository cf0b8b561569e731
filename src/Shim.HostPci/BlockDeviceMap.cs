namespace Shim.HostPci;

/// <summary>
/// Maps PCI functions to the block devices they back: every <c>/sys/block/&lt;disk&gt;</c> link resolves into the
/// device tree below its controller's function directory; the deepest BDF component of that path is the owner.
/// A disk is in use when it, one of its partitions or a holder (dm, md, LVM) is mounted, or when any holder exists
/// at all (something stacked on it). Mounts come from <c>proc/self/mounts</c> under the same root.
/// </summary>
internal sealed class BlockDeviceMap
{
    private readonly Dictionary<PciAddress, List<BlockDevice>> byFunction = new();

    public static readonly BlockDeviceMap Empty = new();

    public IReadOnlyList<BlockDevice> For(PciAddress address) =>
        byFunction.TryGetValue(address, out var list) ? list : Array.Empty<BlockDevice>();

    public static BlockDeviceMap Read(SysfsRoot root)
    {
        var map = new BlockDeviceMap();
        if (!Directory.Exists(root.SysBlockDir))
            return map;
        var mounted = ReadMountedSources(root);
        foreach (var link in Directory.EnumerateFileSystemEntries(root.SysBlockDir))
        {
            var disk = Path.GetFileName(link);
            if (!SysfsName.IsValid(disk)) continue;
            var real = root.ResolveLinkLexically(link, SysfsReader.ReadLink(link));
            if (real is null) continue;
            var owner = DeepestAddress(real);
            if (owner is null) continue;
            var names = new List<string> { disk };
            if (Directory.Exists(real))
            {
                foreach (var sub in Directory.EnumerateDirectories(real))
                {
                    var name = Path.GetFileName(sub);
                    if (name.StartsWith(disk, StringComparison.Ordinal) && File.Exists(Path.Combine(sub, "partition")) && SysfsName.IsValid(name))
                        names.Add(name);
                }
            }
            var list = map.byFunction.TryGetValue(owner.Value, out var existing) ? existing : map.byFunction[owner.Value] = new List<BlockDevice>();
            foreach (var name in names)
            {
                var dir = name == disk ? real : Path.Combine(real, name);
                var holders = Holders(dir);
                string? usage = null;
                if (mounted.TryGetValue(name, out var mountPoint)) usage = $"mounted on {mountPoint}";
                else if (holders.Count > 0) usage = $"held by {string.Join(',', holders)}";
                list.Add(new BlockDevice(name, usage is not null, usage));
            }
        }
        return map;
    }

    private static List<string> Holders(string dir)
    {
        var holdersDir = Path.Combine(dir, "holders");
        return Directory.Exists(holdersDir)
            ? Directory.EnumerateFileSystemEntries(holdersDir).Select(Path.GetFileName).OfType<string>().ToList()
            : new List<string>();
    }

    private static Dictionary<string, string> ReadMountedSources(SysfsRoot root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(root.Mounts)) return result;
        foreach (var line in File.ReadLines(root.Mounts))
        {
            var fields = line.Split(' ');
            if (fields.Length < 2 || !fields[0].StartsWith("/dev/", StringComparison.Ordinal)) continue;
            result.TryAdd(Path.GetFileName(fields[0]), fields[1]);
        }
        return result;
    }

    private static PciAddress? DeepestAddress(string path)
    {
        PciAddress? found = null;
        foreach (var part in path.Split('/'))
            if (PciAddress.TryParse(part, out var a)) found = a;
        return found;
    }
}
