using System.Globalization;
using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>SR-IOV (sysfs-pci.md §2.8): sriov_numvfs creates and removes VFs with their links, groups and drivers.</summary>
public sealed partial class EmulatedKernel
{
    public void SriovNumVfs(string real, string value)
    {
        if (!int.TryParse(StripNewline(value), NumberStyles.None, CultureInfo.InvariantCulture, out var wanted))
            throw new KernelError(Errno.EINVAL, $"sriov_numvfs '{value}' is not a number");
        int current = Dec(real, "sriov_numvfs");
        if (wanted == current) return;
        if (wanted > Dec(real, "sriov_totalvfs")) throw new KernelError(Errno.ERANGE, $"{wanted} > sriov_totalvfs");
        if (DriverOf(real) is null) throw new KernelError(Errno.ENOENT, "the PF has no driver");
        if (current != 0 && wanted != 0) throw new KernelError(Errno.EBUSY, "write 0 first");
        if (wanted == 0) RemoveVfs(real);
        else CreateVfs(real, wanted);
    }

    private void CreateVfs(string pfReal, int count)
    {
        var pf = PciAddress.Parse(Path.GetFileName(pfReal));
        var facts = Facts(pf.ToString());
        int offset = Dec(pfReal, "sriov_offset"), stride = Math.Max(1, Dec(pfReal, "sriov_stride"));
        var vfDevice = (ushort)Hex(pfReal, "sriov_vf_device");
        bool pcie = new FileInfo(Path.Combine(pfReal, "config")).Length > 256;
        var created = new List<(string Real, string Bdf)>();
        for (int i = 0; i < count; i++)
        {
            var vf = PciAddress.FromRoutingId(pf.Domain, pf.RoutingId + offset + i * stride);
            var vfBdf = vf.ToString();
            // Each VF gets its own group when ACS allows it (the emulated platform always does).
            int? group = File.Exists(Path.Combine(Layout.State, "iommu-off")) ? null : NextGroup();
            var real = CreateDevice(vf, Path.GetDirectoryName(pfReal)!, (ushort)Hex(pfReal, "vendor"), vfDevice, Hex(pfReal, "class"), pcie, group);
            TreeLayout.Link(Path.Combine(real, "physfn"), pfReal);
            TreeLayout.Link(Path.Combine(pfReal, $"virtfn{i}"), real);
            EmulatorJson.Write(Layout.DeviceFacts(vfBdf), new DeviceFacts(vfBdf,
                NetDriver: facts.VfDriver,
                NetInterfaces: facts.VfInterfacePrefix is null ? null : [facts.VfInterfacePrefix + i.ToString(CultureInfo.InvariantCulture)],
                InterfacesUp: false));
            created.Add((real, vfBdf));
        }
        File.WriteAllText(Path.Combine(pfReal, "sriov_numvfs"), count.ToString(CultureInfo.InvariantCulture) + "\n");
        bool autoprobe = File.ReadAllText(Path.Combine(pfReal, "sriov_drivers_autoprobe")).Trim() == "1"
            && (!File.Exists(Layout.DriversAutoprobe) || File.ReadAllText(Layout.DriversAutoprobe).Trim() == "1");
        if (autoprobe)
            foreach (var (real, vfBdf) in created) Probe(real, vfBdf);
    }

    private void RemoveVfs(string pfReal)
    {
        foreach (var link in Directory.EnumerateFileSystemEntries(pfReal, "virtfn*").ToList())
        {
            var target = new FileInfo(link).LinkTarget;
            if (target is not null)
            {
                var vfReal = Path.GetFullPath(Path.Combine(pfReal, target));
                if (Directory.Exists(vfReal)) RemoveDevice(vfReal, Path.GetFileName(vfReal));
            }
            TreeLayout.RemoveLink(link);
        }
        File.WriteAllText(Path.Combine(pfReal, "sriov_numvfs"), "0\n");
    }
}
