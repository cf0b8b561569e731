namespace Shim.SysfsEmulator;

/// <summary>
/// Paths of an emulated host under its root, and the emulator's private state in <c>.emulator/</c> (kept in the
/// tree so that any process can rebuild the emulator from the root path alone).
/// </summary>
public sealed class TreeLayout
{
    public TreeLayout(string root)
    {
        Root = Path.GetFullPath(root).TrimEnd('/');
    }

    public string Root { get; }
    public string Sys => Path.Combine(Root, "sys");
    public string DevicesRoot => Path.Combine(Root, "sys/devices");
    public string BusDevices => Path.Combine(Root, "sys/bus/pci/devices");
    public string BusDrivers => Path.Combine(Root, "sys/bus/pci/drivers");
    public string DriversProbe => Path.Combine(Root, "sys/bus/pci/drivers_probe");
    public string DriversAutoprobe => Path.Combine(Root, "sys/bus/pci/drivers_autoprobe");
    public string IommuGroups => Path.Combine(Root, "sys/kernel/iommu_groups");
    public string ClassNet => Path.Combine(Root, "sys/class/net");
    public string ClassIommu => Path.Combine(Root, "sys/class/iommu");
    public string SysBlock => Path.Combine(Root, "sys/block");
    public string Module(string name) => Path.Combine(Root, "sys/module", name);
    public string DevVfio => Path.Combine(Root, "dev/vfio");
    public string Mounts => Path.Combine(Root, "proc/self/mounts");
    public string OsRelease => Path.Combine(Root, "proc/sys/kernel/osrelease");

    public string Driver(string name) => Path.Combine(BusDrivers, name);
    public string Group(int n) => Path.Combine(IommuGroups, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public string VfioNode(int n) => Path.Combine(DevVfio, n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string State => Path.Combine(Root, ".emulator");
    public string StateLock => Path.Combine(State, "lock");
    public string WriteLog => Path.Combine(State, "writes.log");
    public string Faults => Path.Combine(State, "faults.json");
    public string DriverTable(string name) => Path.Combine(State, "drivers", name + ".json");
    public string DeviceFacts(string bdf) => Path.Combine(State, "devices", bdf + ".json");
    public string ReleaseTrigger(string bdf) => Path.Combine(State, "release", bdf);
    public string BlockedMarker(string bdf) => Path.Combine(State, "blocked", bdf);

    /// <summary>Relative path from the link's (real) directory to the target: the §1.6 depth arithmetic.</summary>
    public static string RelativeTarget(string linkPath, string targetPath) =>
        Path.GetRelativePath(Path.GetDirectoryName(linkPath)!, targetPath);

    public static void Link(string linkPath, string targetPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
        RemoveLink(linkPath);
        File.CreateSymbolicLink(linkPath, RelativeTarget(linkPath, targetPath));
    }

    public static void RemoveLink(string linkPath)
    {
        if (new FileInfo(linkPath).LinkTarget is not null || File.Exists(linkPath))
            File.Delete(linkPath);
    }

    public static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public string Relative(string path) => Path.GetRelativePath(Root, path);
}
