using System.Globalization;
using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>
/// Describes a host (bridges, NICs, SR-IOV PFs with VFs, GPUs with audio functions, NVMe disks, multi-device
/// groups) and materialises it as a sysfs/devfs tree with real files and relative symlinks (sysfs-pci.md §1.6).
/// Initial VFs are created through the emulated kernel's own sriov_numvfs logic.
/// </summary>
public sealed class EmulatedHostBuilder
{
    private readonly List<DeviceSpec> devices = new();
    private readonly Dictionary<string, HashSet<string>> drivers = new(StringComparer.Ordinal);
    private bool iommu = true;
    private bool vfioLoaded = true;
    private bool vfioInstalled;
    private bool unsafeNoIommu;
    private string kernelRelease = "6.1.0-emulated";

    public EmulatedHostBuilder Device(DeviceSpec spec)
    {
        devices.Add(spec);
        return this;
    }

    public EmulatedHostBuilder Driver(string name, params string[] ids)
    {
        (drivers.TryGetValue(name, out var set) ? set : drivers[name] = new HashSet<string>()).UnionWith(ids);
        return this;
    }

    public EmulatedHostBuilder HostBridge(string bdf = "0000:00:00.0", int? group = null) =>
        Device(new DeviceSpec(bdf) { Vendor = 0x8086, Device = 0x2020, Class = 0x060000, Pcie = false, Group = group });

    public EmulatedHostBuilder RootPort(string bdf, int? group = null, string? behind = null) =>
        Device(new DeviceSpec(bdf) { Vendor = 0x8086, Device = 0x2030, Class = 0x060400, Driver = "pcieport", Group = group, Behind = behind });

    public EmulatedHostBuilder Nic(string bdf, string driver = "e1000e", string? ifName = null, bool up = false,
        int? group = null, string? sameGroupAs = null, string? behind = null, ushort vendor = 0x8086, ushort device = 0x10d3) =>
        Device(new DeviceSpec(bdf)
        {
            Vendor = vendor, Device = device, Class = 0x020000, Driver = driver, Group = group, SameGroupAs = sameGroupAs, Behind = behind,
            NetInterfaces = ifName is null ? [] : [ifName], InterfacesUp = up,
        });

    /// <summary>An SR-IOV PF (ixgbe/ixgbevf-like by default; pass i40e/iavf and IDs 0x1572/0x154c for an XL710).</summary>
    public EmulatedHostBuilder SriovNic(string pfBdf, int totalVfs = 8, int numVfs = 0, string pfDriver = "ixgbe", string vfDriver = "ixgbevf",
        string ifName = "ens1f0", bool up = true, string? behind = null, ushort vendor = 0x8086, ushort pfDevice = 0x10fb, ushort vfDevice = 0x10ed,
        int offset = 0x80, int stride = 2) =>
        Device(new DeviceSpec(pfBdf)
        {
            Vendor = vendor, Device = pfDevice, Class = 0x020000, Driver = pfDriver, Behind = behind, NetInterfaces = [ifName], InterfacesUp = up,
            SriovTotalVfs = totalVfs, SriovNumVfs = numVfs, VfDriver = vfDriver, VfDevice = vfDevice, VfInterfacePrefix = ifName + "v",
            VfOffset = offset, VfStride = stride,
        });

    /// <summary>A GPU at function 0 and (optionally) its HD-audio function 1, in one group.</summary>
    public EmulatedHostBuilder Gpu(string bdf, bool audio = true, string driver = "nouveau", string audioDriver = "snd_hda_intel", string? behind = null, int? group = null)
    {
        Device(new DeviceSpec(bdf) { Vendor = 0x10de, Device = 0x1eb8, Class = 0x030000, Driver = driver, Behind = behind, Group = group });
        if (audio)
        {
            var a = PciAddress.Parse(bdf);
            var audioBdf = (a with { Function = 1 }).ToString();
            Device(new DeviceSpec(audioBdf) { Vendor = 0x10de, Device = 0x10f8, Class = 0x040300, Driver = audioDriver, Behind = behind, SameGroupAs = bdf });
        }
        return this;
    }

    public EmulatedHostBuilder Nvme(string bdf, string disk = "nvme0n1", string? mountedOn = null, int? group = null) =>
        Device(new DeviceSpec(bdf) { Vendor = 0x144d, Device = 0xa808, Class = 0x010802, Driver = "nvme", Disk = disk, MountedOn = mountedOn, Group = group });

    public EmulatedHostBuilder WithoutIommu() { iommu = false; return this; }

    /// <summary>vfio-pci not registered; <paramref name="installed"/> puts the module file under lib/modules.</summary>
    public EmulatedHostBuilder WithoutVfioPci(bool installed = false) { vfioLoaded = false; vfioInstalled = installed; return this; }

    public EmulatedHostBuilder WithUnsafeNoIommu() { unsafeNoIommu = true; return this; }

    public EmulatedHostBuilder KernelRelease(string release) { kernelRelease = release; return this; }

    public EmulatedHost Build(string root)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var layout = new TreeLayout(root);
        var kernel = new EmulatedKernel(layout.Root);
        Directory.CreateDirectory(layout.State);
        File.WriteAllLines(Path.Combine(layout.Root, SysfsWriterFactory.DescriptorRelativePath),
            [typeof(EmulatedSysfsWriter).Assembly.Location, typeof(EmulatedSysfsWriter).FullName!]);
        EmulatorJson.Write(layout.Faults, new FaultPlan());
        foreach (var dir in new[] { layout.BusDevices, layout.BusDrivers, layout.IommuGroups, layout.ClassNet, layout.ClassIommu, layout.DevicesRoot })
            Directory.CreateDirectory(dir);
        File.WriteAllText(layout.DriversProbe, "");
        File.WriteAllText(layout.DriversAutoprobe, "1\n");
        TreeLayout.WriteText(layout.OsRelease, kernelRelease + "\n");
        TreeLayout.WriteText(Path.Combine(layout.Module("vfio"), "parameters/enable_unsafe_noiommu_mode"), unsafeNoIommu ? "Y\n" : "N\n");
        if (iommu)
        {
            var unit = Path.Combine(layout.DevicesRoot, "virtual/iommu/dmar0");
            Directory.CreateDirectory(unit);
            TreeLayout.Link(Path.Combine(layout.ClassIommu, "dmar0"), unit);
        }
        else
        {
            File.WriteAllText(Path.Combine(layout.State, "iommu-off"), "");
        }
        if (vfioLoaded)
        {
            kernel.RegisterDriver(VfioPci.DriverName, [], VfioPci.ModuleName);
            TreeLayout.WriteText(Path.Combine(layout.DevVfio, "vfio"), "");
        }
        if (vfioInstalled)
            TreeLayout.WriteText(Path.Combine(layout.Root, "lib/modules", kernelRelease, "kernel/drivers/vfio/pci/vfio-pci.ko"), "");

        foreach (var d in devices)
        {
            if (d.Driver is not null) Driver(d.Driver, $"{d.Vendor:x4}:{d.Device:x4}");
            if (d.VfDriver is not null) Driver(d.VfDriver, $"{d.Vendor:x4}:{d.VfDevice:x4}");
        }
        foreach (var (name, ids) in drivers.Where(kv => kv.Key != VfioPci.DriverName))
            kernel.RegisterDriver(name, ids);

        var mounts = new List<string> { "proc /proc proc rw 0 0", "sysfs /sys sysfs rw 0 0" };
        foreach (var d in devices)
            Materialise(layout, kernel, d, mounts);
        TreeLayout.WriteText(layout.Mounts, string.Join('\n', mounts) + "\n");
        // Devices need their driver bound before VFs can be enabled (§2.8), so SR-IOV comes last.
        foreach (var d in devices.Where(d => d.SriovNumVfs > 0))
            kernel.SriovNumVfs(kernel.RealDir(PciAddress.Parse(d.Bdf).ToString())!, d.SriovNumVfs.ToString(CultureInfo.InvariantCulture));
        return new EmulatedHost(layout.Root);
    }

    private void Materialise(TreeLayout layout, EmulatedKernel kernel, DeviceSpec d, List<string> mounts)
    {
        var address = PciAddress.Parse(d.Bdf);
        var bdf = address.ToString();
        string parent = d.Behind is not null
            ? kernel.RealDir(PciAddress.Parse(d.Behind).ToString()) ?? throw new InvalidOperationException($"{d.Bdf}: bridge {d.Behind} must be added first")
            : Path.Combine(layout.DevicesRoot, $"pci{address.Domain:x4}:{address.Bus:x2}");
        int? group = !iommu ? null
            : d.SameGroupAs is not null ? kernel.RealDir(PciAddress.Parse(d.SameGroupAs).ToString()) is { } other ? EmulatedKernel.GroupOf(other) : throw new InvalidOperationException($"{d.Bdf}: {d.SameGroupAs} must be added first")
            : d.Group ?? kernel.NextGroup();
        var real = kernel.CreateDevice(address, parent, d.Vendor, d.Device, d.Class, d.Pcie, group);
        EmulatorJson.Write(layout.DeviceFacts(bdf), new DeviceFacts(bdf, d.Driver, d.NetInterfaces.ToList(), d.InterfacesUp,
            d.VfDriver, d.VfInterfacePrefix, d.VfDevice, d.VfOffset, d.VfStride, d.VfioDenied));
        if (d.SriovTotalVfs > 0)
        {
            File.WriteAllText(Path.Combine(real, "sriov_totalvfs"), $"{d.SriovTotalVfs}\n");
            File.WriteAllText(Path.Combine(real, "sriov_numvfs"), "0\n");
            File.WriteAllText(Path.Combine(real, "sriov_drivers_autoprobe"), "1\n");
            File.WriteAllText(Path.Combine(real, "sriov_offset"), $"{d.VfOffset}\n");
            File.WriteAllText(Path.Combine(real, "sriov_stride"), $"{d.VfStride}\n");
            File.WriteAllText(Path.Combine(real, "sriov_vf_device"), $"{d.VfDevice:x4}\n");
        }
        if (d.Driver is not null)
            kernel.Attach(real, bdf, d.Driver);
        if (d.Disk is not null)
        {
            var diskDir = Path.Combine(real, "nvme", "nvme" + d.Disk.Replace("nvme", "", StringComparison.Ordinal).Split('n')[0], d.Disk);
            var partition = d.Disk + "p1";
            Directory.CreateDirectory(Path.Combine(diskDir, partition));
            File.WriteAllText(Path.Combine(diskDir, partition, "partition"), "1\n");
            TreeLayout.Link(Path.Combine(layout.SysBlock, d.Disk), diskDir);
            if (d.MountedOn is not null)
                mounts.Add($"/dev/{partition} {d.MountedOn} ext4 rw,relatime 0 0");
        }
    }
}
