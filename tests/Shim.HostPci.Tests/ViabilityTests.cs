namespace Shim.HostPci.Tests;

public class ViabilityTests
{
    private static GroupViabilityResult Check(TestHost t, string bdf, bool allow = false)
    {
        var inv = PciInventory.Read(t.Root);
        return GroupViability.Check(inv.Facts, inv.Group(t.GroupOf(bdf))!, allow);
    }

    [Fact]
    public void A_vf_group_is_assignable()
    {
        using var t = new TestHost(TestHost.Typical);
        var r = Check(t, "0000:3b:02.0");
        r.Assignable.ShouldBeTrue();
        r.Reason.ShouldBeNull();
    }

    [Fact]
    public void A_pf_driving_an_up_host_interface_is_refused_unless_allowed()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0", ifName: "eno1", up: true));
        var r = Check(t, "0000:05:00.0");
        r.Assignable.ShouldBeFalse();
        r.Reason!.ShouldContain("eno1");
        r.Reason!.ShouldContain("allow_host_devices = true in [host]");
        Check(t, "0000:05:00.0", allow: true).Assignable.ShouldBeTrue();
    }

    [Fact]
    public void A_down_host_interface_is_not_a_reason_to_refuse()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0", ifName: "eno1", up: false));
        Check(t, "0000:05:00.0").Assignable.ShouldBeTrue();
    }

    [Fact]
    public void A_controller_with_a_mounted_disk_is_refused()
    {
        using var t = new TestHost(b => b.Nvme("0000:02:00.0", mountedOn: "/var/lib"));
        var r = Check(t, "0000:02:00.0");
        r.Assignable.ShouldBeFalse();
        r.Reason!.ShouldContain("nvme0n1p1");
        r.Reason!.ShouldContain("/var/lib");
    }

    [Fact]
    public void A_pf_with_vfs_enabled_is_refused()
    {
        using var t = new TestHost(b => b.SriovNic("0000:3b:00.0", numVfs: 2, up: false));
        var r = Check(t, "0000:3b:00.0");
        r.Assignable.ShouldBeFalse();
        r.Reason!.ShouldContain("sriov_numvfs");
    }

    [Fact]
    public void Bridges_are_ignored_and_everything_else_goes_with_the_device()
    {
        using var t = new TestHost(b => b
            .RootPort("0000:00:1c.0", group: 9)
            .Device(new Shim.SysfsEmulator.DeviceSpec("0000:00:1c.1") { Class = 0x068000, Driver = "nvswitch", SameGroupAs = "0000:00:1c.0" })
            .Gpu("0000:65:00.0"));
        var inv = PciInventory.Read(t.Root);
        inv.Group(9)!.Assignable.Select(m => m.Address.ToString()).ShouldBe(["0000:00:1c.1"]);
        inv.Group(t.GroupOf("0000:65:00.0"))!.Assignable.Select(m => m.Class.BaseAndSub).ShouldBe([(ushort)0x0300, (ushort)0x0403]);
        Check(t, "0000:00:1c.1").Assignable.ShouldBeTrue();
    }

    [Fact]
    public void A_group_of_only_bridges_is_refused()
    {
        using var t = new TestHost(b => b.HostBridge());
        Check(t, "0000:00:00.0").Reason!.ShouldContain("only bridges");
    }

    [Fact]
    public void Host_level_problems_are_reported()
    {
        using var noVfio = new TestHost(b => b.WithoutVfioPci().Nic("0000:05:00.0"));
        Check(noVfio, "0000:05:00.0").Reason!.ShouldContain("vfio-pci is neither loaded");

        using var loadable = new TestHost(b => b.WithoutVfioPci(installed: true).Nic("0000:05:00.0"));
        Check(loadable, "0000:05:00.0").Assignable.ShouldBeTrue();

        using var unsafeMode = new TestHost(b => b.WithUnsafeNoIommu().Nic("0000:05:00.0"));
        Check(unsafeMode, "0000:05:00.0").Reason!.ShouldContain("no-IOMMU");

        var noIommuFacts = HostFactsReader.Read(noVfio.Root) with { IommuEnabled = false, IommuGroupCount = 0 };
        var group = PciInventory.Read(noVfio.Root).Groups[0];
        GroupViability.Check(noIommuFacts, group).Reason!.ShouldContain("IOMMU is off");
    }
}
