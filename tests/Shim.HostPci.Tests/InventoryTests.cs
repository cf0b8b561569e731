namespace Shim.HostPci.Tests;

public class InventoryTests
{
    [Fact]
    public void Reads_functions_groups_relations_and_netdevs()
    {
        using var t = new TestHost(TestHost.Typical);
        var inv = PciInventory.Read(t.Root);
        inv.Functions.Count.ShouldBe(8);
        inv.Warnings.ShouldBeEmpty();

        var pf = inv.Functions[PciAddress.Parse("0000:3b:00.0")];
        pf.Vendor.ShouldBe((ushort)0x8086);
        pf.DeviceId.ShouldBe((ushort)0x10fb);
        pf.Class.ShouldBe(new PciClassCode(0x020000));
        pf.Driver.ShouldBe("ixgbe");
        pf.DriverOverride.ShouldBeNull();
        pf.IsPcie.ShouldBeTrue();
        pf.SriovTotalVfs.ShouldBe(8);
        pf.SriovNumVfs.ShouldBe(2);
        pf.VirtFns.Select(v => v.ToString()).ShouldBe(["0000:3b:02.0", "0000:3b:02.1"]);
        pf.NetInterfaces.ShouldBe([new NetInterface("ens1f0", true)]);
        pf.IsVirtualFunction.ShouldBeFalse();
        // The single-function path lists net/ itself; the full inventory maps sys/class/net: both must agree.
        PciInventory.ReadFunction(t.Root, pf.Address)!.NetInterfaces.ShouldBe(pf.NetInterfaces);

        var vf = inv.Functions[PciAddress.Parse("0000:3b:02.1")];
        vf.PhysFn.ShouldBe(pf.Address);
        vf.IsVirtualFunction.ShouldBeTrue();
        vf.Driver.ShouldBe("ixgbevf");
        vf.NetInterfaces.Single().Name.ShouldBe("ens1f0v1");

        var host = inv.Functions[PciAddress.Parse("0000:00:00.0")];
        host.IsPcie.ShouldBeFalse();
        host.IsIgnoredBridge.ShouldBeTrue();
        host.Driver.ShouldBeNull();

        var gpuGroup = inv.Group(t.GroupOf("0000:65:00.0"))!;
        gpuGroup.Members.Select(m => m.Address.ToString()).ShouldBe(["0000:65:00.0", "0000:65:00.1"]);
        gpuGroup.Assignable.Count().ShouldBe(2);
        inv.Groups.Select(g => g.Number).ShouldBe(inv.Groups.Select(g => g.Number).Order());
    }

    [Fact]
    public void Without_uevent_the_individual_attributes_give_the_same_answer()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = PciInventory.Read(t.Root);
        foreach (var f in before.Functions.Values) File.Delete(Path.Combine(f.RealPath, "uevent"));
        var after = PciInventory.Read(t.Root);
        after.Functions.Values.OrderBy(f => f.Address).Select(f => f with { VirtFns = [], NetInterfaces = [], BlockDevices = [] })
            .ShouldBe(before.Functions.Values.OrderBy(f => f.Address).Select(f => f with { VirtFns = [], NetInterfaces = [], BlockDevices = [] }));
    }

    [Fact]
    public void Uevent_follows_binding_changes()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0"));
        var a = PciAddress.Parse("0000:05:00.0");
        t.Host.Writer().Write(t.Root.DriverUnbind("e1000e"), "0000:05:00.0");
        PciInventory.ReadFunction(t.Root, a)!.Driver.ShouldBeNull();
        t.Host.Writer().Write(t.Root.DriversProbe, "0000:05:00.0");
        PciInventory.ReadFunction(t.Root, a)!.Driver.ShouldBe("e1000e");
    }

    [Fact]
    public void Reads_host_facts()
    {
        using var t = new TestHost(TestHost.Typical);
        var f = PciInventory.Read(t.Root).Facts;
        f.IommuEnabled.ShouldBeTrue();
        f.IommuUnits.ShouldBe(["dmar0"]);
        f.VfioPciLoaded.ShouldBeTrue();
        f.VfioPciAvailable.ShouldBeTrue();
        f.VfioContainerNode.ShouldBeTrue();
        f.UnsafeNoIommu.ShouldBeFalse();
        f.VfioGroupNodes.ShouldBeEmpty();
        f.KernelRelease.ShouldBe("6.1.0-emulated");

        using var bare = new TestHost(b => b.WithoutIommu().WithoutVfioPci().Nic("0000:05:00.0"));
        var g = HostFactsReader.Read(bare.Root);
        g.IommuEnabled.ShouldBeFalse();
        g.VfioPciAvailable.ShouldBeFalse();
        PciInventory.Read(bare.Root).Functions.Single().Value.IommuGroup.ShouldBeNull();

        using var loadable = new TestHost(b => b.WithoutVfioPci(installed: true).WithUnsafeNoIommu().Nic("0000:05:00.0"));
        var l = HostFactsReader.Read(loadable.Root);
        l.VfioPciLoaded.ShouldBeFalse();
        l.VfioPciModuleAvailable.ShouldBeTrue();
        l.UnsafeNoIommu.ShouldBeTrue();
    }

    [Fact]
    public void Finds_mounted_block_devices_behind_a_controller()
    {
        using var t = new TestHost(b => b.Nvme("0000:02:00.0", "nvme0n1", mountedOn: "/").Nvme("0000:03:00.0", "nvme1n1"));
        var inv = PciInventory.Read(t.Root);
        inv.Functions[PciAddress.Parse("0000:02:00.0")].BlockDevices.ShouldContain(new BlockDevice("nvme0n1p1", true, "mounted on /"));
        inv.Functions[PciAddress.Parse("0000:03:00.0")].BlockDevices.ShouldAllBe(b => !b.InUse);
    }

    [Fact]
    public void Reading_one_group_lists_every_member_including_bridges()
    {
        using var t = new TestHost(b => b.RootPort("0000:00:02.0", group: 3).Nic("0000:3b:00.0", behind: "0000:00:02.0", sameGroupAs: "0000:00:02.0"));
        var g = PciInventory.ReadGroup(t.Root, 3);
        g.Members.Count.ShouldBe(2);
        g.Bridges.Single().Address.ToString().ShouldBe("0000:00:02.0");
        g.Assignable.Single().Address.ToString().ShouldBe("0000:3b:00.0");
        Should.Throw<InvalidOperationException>(() => PciInventory.ReadGroup(t.Root, 99)).Message.ShouldContain("group 99");
    }

    [Fact]
    public void Inventory_json_has_the_documented_shape()
    {
        using var t = new TestHost(TestHost.Typical);
        var inv = PciInventory.Read(t.Root);
        var json = System.Text.Json.JsonDocument.Parse(InventoryReport.ToJson(InventoryReport.Build(inv)));
        json.RootElement.GetArrayLength().ShouldBe(inv.Groups.Count);
        var pfGroup = json.RootElement.EnumerateArray().Single(g => g.GetProperty("devices").EnumerateArray().Any(d => d.GetProperty("bdf").GetString() == "0000:3b:00.0"));
        pfGroup.GetProperty("assignable").GetBoolean().ShouldBeFalse();
        pfGroup.GetProperty("reason").GetString()!.ShouldContain("ens1f0");
        var pf = pfGroup.GetProperty("devices")[0];
        pf.GetProperty("vendor").GetString().ShouldBe("0x8086");
        pf.GetProperty("device").GetString().ShouldBe("0x10fb");
        pf.GetProperty("class").GetString().ShouldBe("0x020000");
        pf.GetProperty("driver").GetString().ShouldBe("ixgbe");
        pf.GetProperty("pcie").GetBoolean().ShouldBeTrue();
        pf.GetProperty("physfn").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        pf.GetProperty("vfs").EnumerateArray().Select(v => v.GetString()).ShouldBe(["0000:3b:02.0", "0000:3b:02.1"]);
        var vfGroup = json.RootElement.EnumerateArray().Single(g => g.GetProperty("devices")[0].GetProperty("bdf").GetString() == "0000:3b:02.1");
        vfGroup.GetProperty("assignable").GetBoolean().ShouldBeTrue();
        vfGroup.GetProperty("reason").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        vfGroup.GetProperty("devices")[0].GetProperty("physfn").GetString().ShouldBe("0000:3b:00.0");

        var table = InventoryReport.ToTable(inv.Facts, InventoryReport.Build(inv));
        table.ShouldContain("IOMMU: on");
        table.ShouldContain("0000:3b:02.1");
        table.ShouldContain("VF of 0000:3b:00.0");
        table.ShouldContain("ens1f0(up)");
    }
}
