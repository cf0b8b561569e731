namespace Shim.HostPci;

/// <summary>Reads <see cref="HostFacts"/> (sysfs-pci.md §5). No writes, no modprobe.</summary>
public static class HostFactsReader
{
    private static readonly string[] ModuleFileNames = ["vfio-pci.ko", "vfio-pci.ko.xz", "vfio-pci.ko.zst", "vfio-pci.ko.gz"];

    public static HostFacts Read(SysfsRoot root)
    {
        var groupCount = Directory.Exists(root.IommuGroupsDir) ? Directory.EnumerateFileSystemEntries(root.IommuGroupsDir).Count() : 0;
        var units = Directory.Exists(root.IommuClassDir)
            ? Directory.EnumerateFileSystemEntries(root.IommuClassDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        var vfioNodes = new List<int>();
        bool noIommuNode = false;
        if (Directory.Exists(root.DevVfioDir))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(root.DevVfioDir))
            {
                var name = Path.GetFileName(entry);
                if (SysfsName.TryParseGroup(name, out var g)) vfioNodes.Add(g);
                else if (name.StartsWith("noiommu-", StringComparison.Ordinal)) noIommuNode = true;
            }
            vfioNodes.Sort();
        }
        var release = SysfsReader.ReadAttribute(root.KernelRelease);
        bool loaded = Directory.Exists(root.Driver(VfioPci.DriverName));
        return new HostFacts(
            IommuEnabled: groupCount > 0,
            IommuGroupCount: groupCount,
            IommuUnits: units,
            UnsafeNoIommu: noIommuNode || SysfsReader.ReadAttribute(root.NoIommuParameter) is "Y" or "1",
            VfioPciLoaded: loaded,
            VfioPciModuleAvailable: loaded || Directory.Exists(root.VfioPciModuleDir) || ModuleInstalled(root, release),
            VfioContainerNode: File.Exists(root.DevVfioContainer),
            IommufdNode: File.Exists(root.DevIommu),
            VfioGroupNodes: vfioNodes,
            KernelRelease: release);
    }

    private static bool ModuleInstalled(SysfsRoot root, string? release)
    {
        if (release is null || !SysfsName.IsValid(release)) return false;
        var dir = Path.Combine(root.LibModulesDir, release);
        if (!Directory.Exists(dir)) return false;
        var pciDir = Path.Combine(dir, "kernel/drivers/vfio/pci");
        if (ModuleFileNames.Any(n => File.Exists(Path.Combine(pciDir, n)))) return true;
        var builtin = Path.Combine(dir, "modules.builtin");
        return File.Exists(builtin) && File.ReadLines(builtin).Any(l => l.EndsWith("/vfio-pci.ko", StringComparison.Ordinal));
    }
}
