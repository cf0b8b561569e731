using System.Globalization;
using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>
/// The kernel side of sysfs-pci.md §2 applied to a directory tree: driver matching (§2.1), driver_override (§2.2),
/// unbind (§2.3), bind (§2.4), new_id/remove_id (§2.5), drivers_probe (§2.6), vfio-pci probe refusals (§2.7),
/// sriov_numvfs (§2.8), and /dev/vfio/&lt;N&gt; living while a group member is on a VFIO driver (§1.4).
/// All state is read from and written to the tree, so every process sees the same host.
/// </summary>
public sealed partial class EmulatedKernel
{
    public EmulatedKernel(string root, FaultPlan? faults = null)
    {
        Layout = new TreeLayout(root);
        Faults = faults ?? new FaultPlan();
    }

    public TreeLayout Layout { get; }

    /// <summary>The fault plan in force for this operation (the writer loads and saves it around each write).</summary>
    public FaultPlan Faults { get; set; }

    // ---- queries -------------------------------------------------------------------------------------------

    public string? RealDir(string bdf)
    {
        if (!PciAddress.TryParse(bdf, out _)) return null;
        var link = Path.Combine(Layout.BusDevices, bdf);
        var target = new FileInfo(link).LinkTarget;
        if (target is null) return null;
        var full = Path.GetFullPath(Path.Combine(Layout.BusDevices, target));
        return Directory.Exists(full) ? full : null;
    }

    public static string? DriverOf(string real) => Basename(new FileInfo(Path.Combine(real, "driver")).LinkTarget);

    public static string? OverrideOf(string real)
    {
        var path = Path.Combine(real, "driver_override");
        if (!File.Exists(path)) return null;
        var text = File.ReadAllText(path).TrimEnd('\n');
        return text is "(null)" or "" ? null : text;
    }

    public static int? GroupOf(string real) =>
        int.TryParse(Basename(new FileInfo(Path.Combine(real, "iommu_group")).LinkTarget), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : null;

    public bool IsRegistered(string driver) => Directory.Exists(Layout.Driver(driver));

    public static bool IsVfioDriver(string driver) => driver == VfioPci.DriverName || driver.EndsWith("_vfio_pci", StringComparison.Ordinal);

    private static uint Hex(string real, string attribute) =>
        uint.Parse(File.ReadAllText(Path.Combine(real, attribute)).Trim().Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static int Dec(string real, string attribute)
    {
        var path = Path.Combine(real, attribute);
        return File.Exists(path) ? int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture) : 0;
    }

    private static string? Basename(string? target) => target is null ? null : Path.GetFileName(target.TrimEnd('/'));

    private DeviceFacts Facts(string bdf) => EmulatorJson.Read<DeviceFacts>(Layout.DeviceFacts(bdf)) ?? new DeviceFacts(bdf);

    // ---- sysfs writes ----------------------------------------------------------------------------------------

    public static void WriteOverride(string real, string value)
    {
        var name = StripNewline(value);
        if (name.Length >= 4095) throw new KernelError(Errno.EINVAL, "driver_override longer than PAGE_SIZE-1");
        File.WriteAllText(Path.Combine(real, "driver_override"), name.Length == 0 ? "(null)\n" : name + "\n");
    }

    public void Unbind(string driver, string value)
    {
        var bdf = StripNewline(value);
        var real = RealDir(bdf) ?? throw new KernelError(Errno.ENODEV, $"no device {bdf}");
        if (DriverOf(real) != driver) throw new KernelError(Errno.ENODEV, $"{bdf} is not bound to {driver}");
        Detach(real, bdf, driver);
        var regrab = Faults.Regrabs.FirstOrDefault(r => r.Bdf == bdf && r.Times > 0);
        if (regrab is not null && !IsVfioDriver(driver))
        {
            Faults.Regrabs[Faults.Regrabs.IndexOf(regrab)] = regrab with { Times = regrab.Times - 1 };
            Attach(real, bdf, regrab.Driver);
        }
    }

    public void Bind(string driver, string value)
    {
        var bdf = StripNewline(value);
        var real = RealDir(bdf) ?? throw new KernelError(Errno.ENODEV, $"no device {bdf}");
        if (DriverOf(real) is not null) throw new KernelError(Errno.EBUSY, $"{bdf} is already bound");
        if (!Matches(real, driver)) throw new KernelError(Errno.ENODEV, $"{driver} does not match {bdf}");
        if (Faults.ProbeBindsNothing.Contains(bdf)) throw new KernelError(Errno.ENODEV, $"probe of {bdf} failed (injected)");
        var refusal = ProbeRefusal(real, bdf, driver);
        if (refusal is not null) throw new KernelError(refusal.Value, $"{driver} probe of {bdf} refused");
        Attach(real, bdf, driver);
    }

    public void DriversProbe(string value)
    {
        var bdf = StripNewline(value);
        var real = RealDir(bdf) ?? throw new KernelError(Errno.ENODEV, $"no device {bdf}");
        Probe(real, bdf);
    }

    public void NewId(string driver, string value)
    {
        var fields = StripNewline(value).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !ushort.TryParse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            || !ushort.TryParse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var d))
            throw new KernelError(Errno.EINVAL, $"new_id '{value}' is not 'vvvv dddd'");
        var table = Table(driver);
        var id = $"{v:x4}:{d:x4}";
        if (table.DynamicIds.Contains(id)) throw new KernelError(Errno.EEXIST, $"{id} already in {driver}");
        table.DynamicIds.Add(id);
        EmulatorJson.Write(Layout.DriverTable(driver), table);
        // §2.5: the driver immediately probes every unbound device with that ID, not only the target.
        foreach (var link in Directory.EnumerateFileSystemEntries(Layout.BusDevices))
        {
            var bdf = Path.GetFileName(link);
            var real = RealDir(bdf);
            if (real is null || DriverOf(real) is not null || !Matches(real, driver)) continue;
            if (ProbeRefusal(real, bdf, driver) is null) Attach(real, bdf, driver);
        }
    }

    public void RemoveId(string driver, string value)
    {
        var fields = StripNewline(value).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var table = Table(driver);
        var id = fields.Length >= 2 ? $"{fields[0].ToLowerInvariant()}:{fields[1].ToLowerInvariant()}" : "";
        if (!table.DynamicIds.Remove(id)) throw new KernelError(Errno.ENODEV, $"{id} not in {driver}");
        EmulatorJson.Write(Layout.DriverTable(driver), table);
    }

    public static void WriteBoolean(string path, string value)
    {
        var v = StripNewline(value);
        if (v is not ("0" or "1")) throw new KernelError(Errno.EINVAL, $"'{value}' is not 0 or 1");
        File.WriteAllText(path, v + "\n");
    }

    // ---- matching and probing ----------------------------------------------------------------------------------

    /// <summary>§2.1: the override alone decides when set; otherwise the static and dynamic ID tables.</summary>
    public bool Matches(string real, string driver)
    {
        if (!IsRegistered(driver)) return false;
        var over = OverrideOf(real);
        if (over is not null) return over == driver;
        var id = $"{Hex(real, "vendor"):x4}:{Hex(real, "device"):x4}";
        var vendorAny = $"{Hex(real, "vendor"):x4}:*";
        var table = Table(driver);
        return table.Ids.Contains(id) || table.Ids.Contains(vendorAny) || table.DynamicIds.Contains(id);
    }

    /// <summary>drivers_probe / autoprobe: bind the first matching driver whose probe succeeds; silent otherwise.</summary>
    public void Probe(string real, string bdf)
    {
        if (DriverOf(real) is not null || Faults.ProbeBindsNothing.Contains(bdf)) return;
        var over = OverrideOf(real);
        IEnumerable<string> candidates = over is not null
            ? new[] { over }
            : Directory.Exists(Layout.BusDrivers) ? Directory.EnumerateDirectories(Layout.BusDrivers).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal) : [];
        foreach (var driver in candidates)
        {
            if (!Matches(real, driver)) continue;
            if (ProbeRefusal(real, bdf, driver) is null) Attach(real, bdf, driver);
            return;
        }
    }

    /// <summary>§2.7: why vfio-pci refuses a device, or null.</summary>
    public Errno? ProbeRefusal(string real, string bdf, string driver)
    {
        if (!IsVfioDriver(driver)) return null;
        if ((Hex(real, "class") >> 8) == PciClassCode.PciBridge) return Errno.EINVAL;
        if (GroupOf(real) is null) return Errno.EINVAL;
        if (Dec(real, "sriov_numvfs") > 0) return Errno.EBUSY;
        if (Facts(bdf).VfioDenied) return Errno.EINVAL;
        return null;
    }

    /// <summary>Binds without checks (used by probes and to set the initial state of a built host).</summary>
    public void Attach(string real, string bdf, string driver)
    {
        var driverDir = Layout.Driver(driver);
        Directory.CreateDirectory(driverDir);
        TreeLayout.Link(Path.Combine(real, "driver"), driverDir);
        TreeLayout.Link(Path.Combine(driverDir, bdf), real);
        WriteUevent(real);
        var facts = Facts(bdf);
        if (IsVfioDriver(driver) && GroupOf(real) is { } group && !Faults.VfioNodeNeverAppears.Contains(group))
        {
            Directory.CreateDirectory(Layout.DevVfio);
            var node = Layout.VfioNode(group);
            if (!File.Exists(node)) File.WriteAllBytes(node, []);
        }
        if (facts.NetDriver == driver && facts.NetInterfaces is { Count: > 0 } names)
        {
            foreach (var name in names)
            {
                var dir = Path.Combine(real, "net", name);
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "operstate"), facts.InterfacesUp ? "up\n" : "down\n");
                File.WriteAllText(Path.Combine(dir, "flags"), facts.InterfacesUp ? "0x1003\n" : "0x1002\n");
                File.WriteAllText(Path.Combine(dir, "ifindex"), "1\n");
                TreeLayout.Link(Path.Combine(Layout.ClassNet, name), dir);
            }
        }
    }

    /// <summary>§2.3 side effects: links gone, netdevs destroyed, last VFIO member removes /dev/vfio/&lt;N&gt;.</summary>
    public void Detach(string real, string bdf, string driver)
    {
        TreeLayout.RemoveLink(Path.Combine(real, "driver"));
        TreeLayout.RemoveLink(Path.Combine(Layout.Driver(driver), bdf));
        WriteUevent(real);
        var net = Path.Combine(real, "net");
        if (Directory.Exists(net))
        {
            foreach (var dir in Directory.EnumerateDirectories(net))
                TreeLayout.RemoveLink(Path.Combine(Layout.ClassNet, Path.GetFileName(dir)));
            Directory.Delete(net, recursive: true);
        }
        if (IsVfioDriver(driver) && GroupOf(real) is { } group && !GroupHasVfioMember(group))
            File.Delete(Layout.VfioNode(group));
        if (!IsVfioDriver(driver) && Dec(real, "sriov_numvfs") > 0)
            RemoveVfs(real); // PF drivers disable SR-IOV on remove (§2.3, driver-specific)
    }

    /// <summary>The kernel's PCI uevent text; DRIVER= is present only while bound.</summary>
    private static void WriteUevent(string real)
    {
        uint cls = Hex(real, "class");
        var driver = DriverOf(real);
        var text = (driver is null ? "" : $"DRIVER={driver}\n")
            + $"PCI_CLASS={cls:X}\n"
            + $"PCI_ID={Hex(real, "vendor"):X4}:{Hex(real, "device"):X4}\n"
            + $"PCI_SUBSYS_ID={Hex(real, "subsystem_vendor"):X4}:{Hex(real, "subsystem_device"):X4}\n"
            + $"PCI_SLOT_NAME={Path.GetFileName(real)}\n"
            + $"MODALIAS=pci:v0000{Hex(real, "vendor"):X4}d0000{Hex(real, "device"):X4}sv0000{Hex(real, "subsystem_vendor"):X4}sd0000{Hex(real, "subsystem_device"):X4}bc{cls >> 16:X2}sc{(cls >> 8) & 0xff:X2}i{cls & 0xff:X2}\n";
        File.WriteAllText(Path.Combine(real, "uevent"), text);
    }

    private bool GroupHasVfioMember(int group)
    {
        var devices = Path.Combine(Layout.Group(group), "devices");
        if (!Directory.Exists(devices)) return false;
        foreach (var link in Directory.EnumerateFileSystemEntries(devices))
        {
            var real = RealDir(Path.GetFileName(link));
            if (real is not null && DriverOf(real) is { } d && IsVfioDriver(d)) return true;
        }
        return false;
    }

    // ---- devices, groups, SR-IOV -------------------------------------------------------------------------------

    /// <summary>Creates a device directory with its attributes and links (bus link, IOMMU group).</summary>
    public string CreateDevice(PciAddress address, string parentDir, ushort vendor, ushort device, uint classCode, bool pcie, int? group,
        ushort subsystemVendor = 0, ushort subsystemDevice = 0)
    {
        var bdf = address.ToString();
        var real = Path.Combine(parentDir, bdf);
        Directory.CreateDirectory(real);
        File.WriteAllText(Path.Combine(real, "vendor"), $"0x{vendor:x4}\n");
        File.WriteAllText(Path.Combine(real, "device"), $"0x{device:x4}\n");
        File.WriteAllText(Path.Combine(real, "subsystem_vendor"), $"0x{subsystemVendor:x4}\n");
        File.WriteAllText(Path.Combine(real, "subsystem_device"), $"0x{subsystemDevice:x4}\n");
        File.WriteAllText(Path.Combine(real, "class"), $"0x{classCode:x6}\n");
        File.WriteAllText(Path.Combine(real, "revision"), "0x01\n");
        File.WriteAllText(Path.Combine(real, "driver_override"), "(null)\n");
        File.WriteAllText(Path.Combine(real, "numa_node"), "-1\n");
        using (var config = new FileStream(Path.Combine(real, "config"), FileMode.Create))
            config.SetLength(pcie ? 4096 : 256);
        TreeLayout.Link(Path.Combine(Layout.BusDevices, bdf), real);
        if (group is { } g) JoinGroup(real, bdf, g);
        WriteUevent(real);
        return real;
    }

    public void JoinGroup(string real, string bdf, int group)
    {
        var dir = Layout.Group(group);
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(Path.Combine(dir, "devices"));
            File.WriteAllText(Path.Combine(dir, "type"), "DMA\n");
        }
        TreeLayout.Link(Path.Combine(dir, "devices", bdf), real);
        TreeLayout.Link(Path.Combine(real, "iommu_group"), dir);
    }

    /// <summary>
    /// Lowest free group number, as the kernel's IDA hands them out (sysfs-pci.md §8). A hint file in the state
    /// directory (the lowest number that may be free) keeps this O(1) for trees with thousands of groups.
    /// </summary>
    public int NextGroup()
    {
        var hintPath = Path.Combine(Layout.State, "group-hint");
        int next = File.Exists(hintPath) && int.TryParse(File.ReadAllText(hintPath), NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : 0;
        while (Directory.Exists(Layout.Group(next))) next++;
        File.WriteAllText(hintPath, (next + 1).ToString(CultureInfo.InvariantCulture));
        return next;
    }

    private void FreeGroup(int group)
    {
        var hintPath = Path.Combine(Layout.State, "group-hint");
        if (!File.Exists(hintPath) || int.Parse(File.ReadAllText(hintPath), CultureInfo.InvariantCulture) > group)
            File.WriteAllText(hintPath, group.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Hot removal: unbind, leave the group (deleting it when empty) and drop every link.</summary>
    public void RemoveDevice(string real, string bdf)
    {
        if (DriverOf(real) is { } d) Detach(real, bdf, d);
        if (GroupOf(real) is { } group)
        {
            var dir = Layout.Group(group);
            TreeLayout.RemoveLink(Path.Combine(dir, "devices", bdf));
            if (!Directory.EnumerateFileSystemEntries(Path.Combine(dir, "devices")).Any())
            {
                Directory.Delete(dir, recursive: true);
                File.Delete(Layout.VfioNode(group));
                FreeGroup(group);
            }
        }
        TreeLayout.RemoveLink(Path.Combine(Layout.BusDevices, bdf));
        Directory.Delete(real, recursive: true);
        File.Delete(Layout.DeviceFacts(bdf));
    }

    // ---- drivers ---------------------------------------------------------------------------------------------

    public void RegisterDriver(string name, IEnumerable<string> ids, string? module = null)
    {
        var dir = Layout.Driver(name);
        Directory.CreateDirectory(dir);
        foreach (var file in new[] { "bind", "unbind", "new_id", "remove_id" })
            if (!File.Exists(Path.Combine(dir, file))) File.WriteAllText(Path.Combine(dir, file), "");
        var existing = EmulatorJson.Read<DriverTable>(Layout.DriverTable(name));
        var table = new DriverTable(name, (existing?.Ids ?? new()).Union(ids.Select(i => i.ToLowerInvariant())).ToList(), existing?.DynamicIds ?? new(), module ?? existing?.Module);
        EmulatorJson.Write(Layout.DriverTable(name), table);
        if (table.Module is { } mod)
        {
            var moduleDir = Layout.Module(mod);
            Directory.CreateDirectory(moduleDir);
            TreeLayout.Link(Path.Combine(dir, "module"), moduleDir);
        }
    }

    private DriverTable Table(string driver) =>
        EmulatorJson.Read<DriverTable>(Layout.DriverTable(driver)) ?? new DriverTable(driver, new(), new());

    internal static string StripNewline(string value) => value.EndsWith('\n') ? value[..^1] : value;
}
