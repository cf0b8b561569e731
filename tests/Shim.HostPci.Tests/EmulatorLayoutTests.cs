using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

/// <summary>sysfs-pci.md §1.6: link texts with the real depth arithmetic, resolving inside the fake root.</summary>
public class EmulatorLayoutTests
{
    private static TestHost MlxHost() => new(b => b
        .RootPort("0000:00:02.0")
        .SriovNic("0000:3b:00.0", totalVfs: 8, numVfs: 6, pfDriver: "mlx5_core", vfDriver: "mlx5_core", ifName: "ens1f0",
            behind: "0000:00:02.0", vendor: 0x15b3, pfDevice: 0x1017, vfDevice: 0x1018, offset: 12, stride: 1));

    [Fact]
    public void Links_have_the_shapes_of_real_sysfs()
    {
        using var t = MlxHost();
        string Link(string relative) => new FileInfo(Path.Combine(t.Host.Root, relative)).LinkTarget!;
        const string vfDir = "sys/devices/pci0000:00/0000:00:02.0/0000:3b:02.1";
        var group = t.GroupOf("0000:3b:02.1");

        Link("sys/bus/pci/devices/0000:3b:02.1").ShouldBe("../../../devices/pci0000:00/0000:00:02.0/0000:3b:02.1");
        Link(vfDir + "/driver").ShouldBe("../../../../bus/pci/drivers/mlx5_core");
        Link(vfDir + "/iommu_group").ShouldBe($"../../../../kernel/iommu_groups/{group}");
        Link(vfDir + "/physfn").ShouldBe("../0000:3b:00.0");
        Link("sys/devices/pci0000:00/0000:00:02.0/0000:3b:00.0/virtfn5").ShouldBe("../0000:3b:02.1");
        Link("sys/bus/pci/drivers/mlx5_core/0000:3b:02.1").ShouldBe("../../../../devices/pci0000:00/0000:00:02.0/0000:3b:02.1");
        Link($"sys/kernel/iommu_groups/{group}/devices/0000:3b:02.1").ShouldBe("../../../../devices/pci0000:00/0000:00:02.0/0000:3b:02.1");
        Link("sys/class/net/ens1f0v5").ShouldBe("../../devices/pci0000:00/0000:00:02.0/0000:3b:02.1/net/ens1f0v5");
        Link("sys/class/iommu/dmar0").ShouldBe("../../devices/virtual/iommu/dmar0");
    }

    [Fact]
    public void Every_link_resolves_inside_the_root()
    {
        using var t = MlxHost();
        var links = 0;
        foreach (var link in Walk(Path.Combine(t.Host.Root, "sys")))
        {
            links++;
            var target = new FileInfo(link).LinkTarget;
            if (target is null) continue;
            target.ShouldNotStartWith("/");
            var resolved = t.Root.ResolveInside(link);
            (File.Exists(resolved) || Directory.Exists(resolved)).ShouldBeTrue($"{link} -> {target} dangles");
        }
        links.ShouldBeGreaterThan(50);
    }

    /// <summary>Every entry below <paramref name="dir"/> without descending into symlinked directories (sysfs has cycles).</summary>
    private static IEnumerable<string> Walk(string dir)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
        {
            yield return entry;
            if (new FileInfo(entry).LinkTarget is null && Directory.Exists(entry))
                foreach (var inner in Walk(entry)) yield return inner;
        }
    }

    [Fact]
    public void Attributes_have_kernel_formats()
    {
        using var t = MlxHost();
        var dir = t.Host.Kernel.RealDir("0000:3b:00.0")!;
        File.ReadAllText(Path.Combine(dir, "vendor")).ShouldBe("0x15b3\n");
        File.ReadAllText(Path.Combine(dir, "class")).ShouldBe("0x020000\n");
        File.ReadAllText(Path.Combine(dir, "driver_override")).ShouldBe("(null)\n");
        new FileInfo(Path.Combine(dir, "config")).Length.ShouldBe(4096);
        File.ReadAllText(Path.Combine(dir, "sriov_numvfs")).ShouldBe("6\n");
        File.ReadAllText(Path.Combine(dir, "uevent")).ShouldStartWith("DRIVER=mlx5_core\nPCI_CLASS=20000\nPCI_ID=15B3:1017\n");
    }

    [Fact]
    public void The_text_spec_builds_the_same_kind_of_host()
    {
        using var t = new TestHost(_ => HostSpec.Parse("""
            # a small host
            hostbridge 0000:00:00.0
            rootport   0000:00:02.0
            sriov-nic  0000:3b:00.0 total=4 vfs=2 pf-driver=i40e vf-driver=iavf pf-device=1572 vf-device=154c if=ens2f0 up behind=0000:00:02.0
            gpu        0000:65:00.0 audio
            nic        0000:05:00.0 driver=e1000e if=eno1 up
            device     0000:00:1f.0 vendor=8086 device=a1c8 class=060100 driver=lpc_ich conventional
            device     0000:00:1f.3 vendor=8086 device=a1f0 class=040300 driver=snd_hda_intel same-group=0000:00:1f.0
            nvme       0000:02:00.0 disk=nvme0n1 mounted=/
            """));
        var inv = PciInventory.Read(t.Root);
        inv.Functions.Count.ShouldBe(11);
        var pf = inv.Functions[PciAddress.Parse("0000:3b:00.0")];
        pf.Driver.ShouldBe("i40e");
        pf.VirtFns.Count.ShouldBe(2);
        inv.Functions[pf.VirtFns[0]].Driver.ShouldBe("iavf");
        inv.Functions[PciAddress.Parse("0000:00:1f.0")].IsPcie.ShouldBeFalse();
        inv.Functions[PciAddress.Parse("0000:00:1f.3")].IommuGroup.ShouldBe(inv.Functions[PciAddress.Parse("0000:00:1f.0")].IommuGroup);
        Should.Throw<FormatException>(() => HostSpec.Parse("frobnicator 0000:00:00.0")).Message.ShouldContain("line 1");
    }
}
