using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>A materialised emulated host: its root, a writer for it, its faults, and state queries for assertions.</summary>
public sealed class EmulatedHost
{
    public EmulatedHost(string root)
    {
        Layout = new TreeLayout(root);
        Kernel = new EmulatedKernel(root);
        Sysfs = new SysfsRoot(root);
    }

    public string Root => Layout.Root;
    public TreeLayout Layout { get; }
    public EmulatedKernel Kernel { get; }
    public SysfsRoot Sysfs { get; }

    public ISysfsWriter Writer() => new EmulatedSysfsWriter(Root);

    public bool Exists(string bdf) => Kernel.RealDir(bdf) is not null;
    public string? DriverOf(string bdf) => Kernel.RealDir(bdf) is { } real ? EmulatedKernel.DriverOf(real) : null;
    public string? OverrideOf(string bdf) => Kernel.RealDir(bdf) is { } real ? EmulatedKernel.OverrideOf(real) : null;
    public int? GroupOf(string bdf) => Kernel.RealDir(bdf) is { } real ? EmulatedKernel.GroupOf(real) : null;
    public bool VfioNodeExists(int group) => File.Exists(Layout.VfioNode(group));

    public IReadOnlyList<string> NetInterfacesOf(string bdf)
    {
        var real = Kernel.RealDir(bdf);
        var net = real is null ? null : Path.Combine(real, "net");
        return net is not null && Directory.Exists(net)
            ? Directory.EnumerateDirectories(net).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>"bdf driver override" for every function, sorted: compare before/after snapshots.</summary>
    public string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(Layout.BusDevices)
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
        .Select(b => $"{b} driver={DriverOf(b) ?? "-"} override={OverrideOf(b) ?? "-"}"));

    public IReadOnlyList<WriteRecord> Writes() => File.Exists(Layout.WriteLog)
        ? File.ReadAllLines(Layout.WriteLog).Select(l => l.Split('\t')).Select(p => new WriteRecord(p[0], p[1], p[2])).ToList()
        : [];

    public void ClearWrites() => File.Delete(Layout.WriteLog);

    public FaultPlan Faults => EmulatorJson.Read<FaultPlan>(Layout.Faults) ?? new FaultPlan();

    public void SetFaults(FaultPlan plan) => EmulatorJson.Write(Layout.Faults, plan);

    /// <summary>Lets a blocked vfio-pci unbind of <paramref name="bdf"/> complete (QEMU released the device).</summary>
    public void Release(string bdf) => TreeLayout.WriteText(Layout.ReleaseTrigger(bdf), "release\n");

    public bool IsUnbindBlocked(string bdf) => File.Exists(Layout.BlockedMarker(bdf));
}
