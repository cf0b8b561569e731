using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

/// <summary>The emulator reproduces the kernel's write semantics of sysfs-pci.md §2 (the rows marked MUST).</summary>
public class EmulatorSemanticsTests
{
    private const string Nic = "0000:05:00.0";

    private static void Write(TestHost t, string relative, string value) => t.Host.Writer().Write(Path.Combine(t.Host.Root, relative), value);

    private static Errno Fails(TestHost t, string relative, string value) =>
        Should.Throw<SysfsWriteException>(() => Write(t, relative, value)).Errno;

    [Fact]
    public void Override_alone_binds_nothing_and_empty_clears_it()
    {
        using var t = new TestHost(b => b.Nic(Nic, ifName: "eno1"));
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci\n");
        t.Host.OverrideOf(Nic).ShouldBe("vfio-pci");
        t.Host.DriverOf(Nic).ShouldBe("e1000e");
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "\n");
        File.ReadAllText(Path.Combine(t.Host.Root, $"sys/bus/pci/devices/{Nic}/driver_override")).ShouldBe("(null)\n");
        Fails(t, $"sys/bus/pci/devices/{Nic}/driver_override", new string('x', 4096)).ShouldBe(Errno.EINVAL);
    }

    [Fact]
    public void Unbind_removes_links_and_netdevs_but_not_the_override_and_does_not_reprobe()
    {
        using var t = new TestHost(b => b.Nic(Nic, ifName: "eno1", up: true));
        t.Host.NetInterfacesOf(Nic).ShouldBe(["eno1"]);
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci");
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic + "\n");
        t.Host.DriverOf(Nic).ShouldBeNull();
        t.Host.OverrideOf(Nic).ShouldBe("vfio-pci");
        t.Host.NetInterfacesOf(Nic).ShouldBeEmpty();
        File.Exists(Path.Combine(t.Host.Root, "sys/class/net/eno1")).ShouldBeFalse();
        Directory.Exists(Path.Combine(t.Host.Root, $"sys/bus/pci/drivers/e1000e/{Nic}")).ShouldBeFalse();
        // §2.3: unbinding again, from the wrong driver, or an absent device answers ENODEV; the driver link is gone so driver/unbind is ENOENT.
        Fails(t, "sys/bus/pci/drivers/e1000e/unbind", Nic).ShouldBe(Errno.ENODEV);
        Fails(t, "sys/bus/pci/drivers/e1000e/unbind", "0000:99:00.0").ShouldBe(Errno.ENODEV);
        Fails(t, $"sys/bus/pci/devices/{Nic}/driver/unbind", Nic).ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void Drivers_probe_honours_the_override_and_vfio_creates_the_group_node()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        var group = t.GroupOf(Nic);
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci");
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        t.Host.VfioNodeExists(group).ShouldBeFalse();
        Write(t, "sys/bus/pci/drivers_probe", Nic);
        t.Host.DriverOf(Nic).ShouldBe("vfio-pci");
        t.Host.VfioNodeExists(group).ShouldBeTrue();
        Write(t, "sys/bus/pci/drivers_probe", Nic); // already bound: no-op, success
        Write(t, "sys/bus/pci/drivers/vfio-pci/unbind", Nic);
        t.Host.VfioNodeExists(group).ShouldBeFalse();
        Fails(t, "sys/bus/pci/drivers_probe", "0000:99:00.0").ShouldBe(Errno.ENODEV);
    }

    [Fact]
    public void An_override_naming_an_unloaded_driver_leaves_the_device_unbound_and_the_id_table_is_ignored()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "not_loaded");
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        Write(t, "sys/bus/pci/drivers_probe", Nic);
        t.Host.DriverOf(Nic).ShouldBeNull();
        Fails(t, "sys/bus/pci/drivers/e1000e/bind", Nic).ShouldBe(Errno.ENODEV);
        // Loaded later, the override's driver claims it (deferred binding, §2.1).
        t.Host.Kernel.RegisterDriver("not_loaded", []);
        Write(t, "sys/bus/pci/drivers_probe", Nic);
        t.Host.DriverOf(Nic).ShouldBe("not_loaded");
    }

    [Fact]
    public void Without_override_the_id_table_decides_and_vfio_pci_has_none()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        Fails(t, "sys/bus/pci/drivers/vfio-pci/bind", Nic).ShouldBe(Errno.ENODEV);
        Write(t, "sys/bus/pci/drivers_probe", Nic);
        t.Host.DriverOf(Nic).ShouldBe("e1000e");
        Fails(t, "sys/bus/pci/drivers/e1000e/bind", Nic).ShouldBe(Errno.EBUSY);
    }

    [Fact]
    public void New_id_grabs_every_unbound_device_with_that_id()
    {
        using var t = new TestHost(b => b.Nic(Nic).Nic("0000:06:00.0"));
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", "0000:06:00.0");
        Write(t, "sys/bus/pci/drivers/vfio-pci/new_id", "8086 10d3");
        t.Host.DriverOf(Nic).ShouldBe("vfio-pci");
        t.Host.DriverOf("0000:06:00.0").ShouldBe("vfio-pci");
        Fails(t, "sys/bus/pci/drivers/vfio-pci/new_id", "8086 10d3").ShouldBe(Errno.EEXIST);
        Fails(t, "sys/bus/pci/drivers/vfio-pci/new_id", "8086").ShouldBe(Errno.EINVAL);
        Write(t, "sys/bus/pci/drivers/vfio-pci/remove_id", "8086 10d3");
        Fails(t, "sys/bus/pci/drivers/vfio-pci/remove_id", "8086 10d3").ShouldBe(Errno.ENODEV);
    }

    [Fact]
    public void Vfio_pci_refuses_bridges_pfs_with_vfs_and_devices_without_a_group()
    {
        using var t = new TestHost(b => b.RootPort("0000:00:02.0").SriovNic("0000:3b:00.0", numVfs: 1, behind: "0000:00:02.0"));
        foreach (var bdf in new[] { "0000:00:02.0", "0000:3b:00.0" })
            Write(t, $"sys/bus/pci/devices/{bdf}/driver_override", "vfio-pci");
        Write(t, "sys/bus/pci/drivers/pcieport/unbind", "0000:00:02.0");
        Fails(t, "sys/bus/pci/drivers/vfio-pci/bind", "0000:00:02.0").ShouldBe(Errno.EINVAL);
        Write(t, "sys/bus/pci/drivers_probe", "0000:00:02.0"); // success, stays unbound
        t.Host.DriverOf("0000:00:02.0").ShouldBeNull();

        using var off = new TestHost(b => b.WithoutIommu().Nic(Nic));
        Write(off, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci");
        Write(off, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        Fails(off, "sys/bus/pci/drivers/vfio-pci/bind", Nic).ShouldBe(Errno.EINVAL);
    }

    [Fact]
    public void Pf_with_vfs_enabled_is_refused_with_ebusy()
    {
        using var t = new TestHost(b => b.SriovNic("0000:3b:00.0", numVfs: 1));
        Write(t, "sys/bus/pci/devices/0000:3b:00.0/driver_override", "vfio-pci");
        // Unbinding the PF driver disables SR-IOV (driver-specific), so bind the PF directly while VFs exist.
        var e = t.Host.Kernel.ProbeRefusal(t.Host.Kernel.RealDir("0000:3b:00.0")!, "0000:3b:00.0", "vfio-pci");
        e.ShouldBe(Errno.EBUSY);
    }

    [Fact]
    public void Sriov_numvfs_creates_and_removes_vfs_with_links_groups_and_autoprobe()
    {
        using var t = new TestHost(b => b.SriovNic("0000:3b:00.0", totalVfs: 4, offset: 0x80, stride: 2));
        const string numvfs = "sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs";
        Fails(t, numvfs, "5").ShouldBe(Errno.ERANGE);
        Fails(t, numvfs, "two").ShouldBe(Errno.EINVAL);
        Write(t, numvfs, "2\n");
        var inv = PciInventory.Read(t.Root);
        var pf = inv.Functions[PciAddress.Parse("0000:3b:00.0")];
        pf.VirtFns.Select(v => v.ToString()).ShouldBe(["0000:3b:10.0", "0000:3b:10.2"]);
        foreach (var vf in pf.VirtFns)
        {
            var f = inv.Functions[vf];
            f.PhysFn.ShouldBe(pf.Address);
            f.Driver.ShouldBe("ixgbevf");
            f.IommuGroup.ShouldNotBeNull();
            f.IommuGroup.ShouldNotBe(pf.IommuGroup);
        }
        Fails(t, numvfs, "1").ShouldBe(Errno.EBUSY);
        Write(t, numvfs, "2"); // same value: no-op
        Write(t, numvfs, "0");
        t.Host.Exists("0000:3b:10.0").ShouldBeFalse();
        PciInventory.Read(t.Root).Groups.Count.ShouldBe(1);
        Write(t, "sys/bus/pci/devices/0000:3b:00.0/sriov_drivers_autoprobe", "0");
        Write(t, numvfs, "1");
        t.Host.DriverOf("0000:3b:10.0").ShouldBeNull();
        Write(t, numvfs, "0");
        Write(t, "sys/bus/pci/drivers/ixgbe/unbind", "0000:3b:00.0");
        Fails(t, numvfs, "1").ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void Read_only_attributes_answer_eacces_and_missing_ones_enoent()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        Fails(t, $"sys/bus/pci/devices/{Nic}/vendor", "0x1234").ShouldBe(Errno.EACCES);
        Fails(t, $"sys/bus/pci/devices/{Nic}/nonexistent", "1").ShouldBe(Errno.ENOENT);
    }

    [Fact]
    public void Vfio_node_lives_while_any_group_member_is_on_vfio()
    {
        using var t = new TestHost(b => b.Gpu("0000:65:00.0"));
        var group = t.GroupOf("0000:65:00.0");
        foreach (var (bdf, driver) in new[] { ("0000:65:00.0", "nouveau"), ("0000:65:00.1", "snd_hda_intel") })
        {
            Write(t, $"sys/bus/pci/devices/{bdf}/driver_override", "vfio-pci");
            Write(t, $"sys/bus/pci/drivers/{driver}/unbind", bdf);
            Write(t, "sys/bus/pci/drivers_probe", bdf);
            t.Host.VfioNodeExists(group).ShouldBeTrue();
        }
        Write(t, "sys/bus/pci/drivers/vfio-pci/unbind", "0000:65:00.0");
        t.Host.VfioNodeExists(group).ShouldBeTrue();
        Write(t, "sys/bus/pci/drivers/vfio-pci/unbind", "0000:65:00.1");
        t.Host.VfioNodeExists(group).ShouldBeFalse();
    }

    [Fact]
    public void Injected_faults_fail_the_chosen_write_and_are_logged()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        t.Host.SetFaults(new FaultPlan { WriteFaults = [new WriteFault(Errno.EIO, PathContains: "driver_override", SkipFirst: 1)] });
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "a");
        var e = Should.Throw<SysfsWriteException>(() => Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "b"));
        e.Errno.ShouldBe(Errno.EIO);
        e.HResult.ShouldBe(5);
        e.Message.ShouldContain("EIO");
        t.Host.OverrideOf(Nic).ShouldBe("a");
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "c");
        t.Host.Writes().Select(w => w.Short).ShouldBe([$"{Nic}/driver_override=a", $"{Nic}/driver_override=b -> EIO", $"{Nic}/driver_override=c"]);
    }

    [Fact]
    public async Task Blocking_unbind_waits_for_the_release_trigger()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci");
        Write(t, "sys/bus/pci/drivers/e1000e/unbind", Nic);
        Write(t, "sys/bus/pci/drivers_probe", Nic);
        t.Host.SetFaults(new FaultPlan { BlockingUnbind = [Nic] });
        var unbind = Task.Run(() => Write(t, "sys/bus/pci/drivers/vfio-pci/unbind", Nic));
        SpinWait.SpinUntil(() => t.Host.IsUnbindBlocked(Nic), TimeSpan.FromSeconds(10)).ShouldBeTrue();
        unbind.IsCompleted.ShouldBeFalse();
        t.Host.DriverOf(Nic).ShouldBe("vfio-pci");
        t.Host.Release(Nic);
        await unbind.WaitAsync(TimeSpan.FromSeconds(10));
        t.Host.DriverOf(Nic).ShouldBeNull();
    }

    [Fact]
    public void Hot_removal_makes_the_device_vanish_after_the_chosen_write()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        t.Host.SetFaults(new FaultPlan { HotRemovals = [new HotRemoval(Nic, AfterWrites: 1)] });
        Write(t, $"sys/bus/pci/devices/{Nic}/driver_override", "vfio-pci");
        t.Host.Exists(Nic).ShouldBeFalse();
        PciInventory.Read(t.Root).Groups.ShouldBeEmpty();
    }

    [Fact]
    public void The_product_factory_loads_the_emulator_writer_from_the_tree_alone()
    {
        using var t = new TestHost(b => b.Nic(Nic));
        var writer = SysfsWriterFactory.Create(new SysfsRoot(t.Host.Root));
        writer.GetType().FullName.ShouldBe(typeof(EmulatedSysfsWriter).FullName);
        writer.Write(Path.Combine(t.Host.Root, "sys/bus/pci/drivers/e1000e/unbind"), Nic);
        t.Host.DriverOf(Nic).ShouldBeNull();
        SysfsWriterFactory.Create(SysfsRoot.Host).ShouldBeOfType<SysfsWriter>();
    }
}
