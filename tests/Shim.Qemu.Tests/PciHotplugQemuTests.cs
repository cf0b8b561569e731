using System.Diagnostics;
using Shim.Qmp;

namespace Shim.Qemu.Tests;

[Trait("Category", "Qemu")]
public sealed class PciHotplugQemuTests
{
    private static readonly TimeSpan T = TestVm.Deadline;

    private static QemuTopology Topology() => new(
        [new PcieRootPort("rp0", 1, 1), new PcieRootPort("rp1", 2, 2), new PcieRootPort("rp2", 3, 3), new PcieRootPort("rpnohp", 4, 4, Hotplug: false)],
        [new PcieSwitch("up0", "rp2", [new PcieDownstreamPort("dp0", 10, 0), new PcieDownstreamPort("dp1", 10, 1)])],
        [new PciBridge("pb0", 20)]);

    private static Task<TestVm> StartAsync(PciHotplugMode mode = PciHotplugMode.Acpi, IReadOnlyList<ColdPlugDevice>? devices = null) =>
        TestVm.StartAsync(s => s with { Topology = Topology(), HotplugMode = mode, Devices = devices ?? [] });

    [Fact]
    public async Task Cold_plugged_topology_is_enumerated_by_firmware_as_planned()
    {
        // Root port, switch downstream port, bridge slot: each cold-plugged device's path, in query-pci and via QOM.
        IReadOnlyList<ColdPlugDevice> devices =
        [
            QemuDevice.Pci("pci-testdev", "onrp", "rp0"),
            QemuDevice.Pci("pci-testdev", "ondp", "dp1"),
            QemuDevice.Pci("pci-testdev", "onpb", "pb0", "0x3"),
        ];
        await using var vm = await StartAsync(devices: devices);
        var viaQom = new Dictionary<string, string>();
        foreach (var id in new[] { "onrp", "ondp", "onpb" })
        {
            viaQom[id] = (await GuestPciPathResolver.FromQomAsync(vm.Qmp, id, T, CancellationToken.None)).ToString();
        }
        // Root ports are auto-placed at pcie.0 slots 1.. in order; the bridge after rpnohp at slot 5.
        viaQom["onrp"].ShouldBe("01/00");
        viaQom["ondp"].ShouldBe("03/00/01/00");
        viaQom["onpb"].ShouldBe("05/03");

        // Paused at -S nothing is behind a bridge in query-pci; after cont SeaBIOS numbers the buses.
        (await GuestPciPathResolver.FromQueryPciAsync(vm.Qmp, "onrp", T, CancellationToken.None)).ShouldBeNull();
        await vm.Qmp.ExecuteAsync("cont", null, T, CancellationToken.None);
        foreach (var (id, path) in viaQom)
        {
            var seen = await GuestPciPathResolver.WaitForQueryPciAsync(vm.Qmp, id, T, CancellationToken.None);
            seen.ShouldNotBeNull($"{id} never appeared in query-pci");
            seen.ToString().ShouldBe(path);
        }
        var pci = (await vm.Qmp.ExecuteAsync("query-pci", null, T, CancellationToken.None))!.AsArray()[0]!["devices"]!.AsArray();
        var rp2 = pci.Single(d => d!["qdev_id"]?.GetValue<string>() == "rp2")!;
        rp2["id"]!["vendor"]!.GetValue<int>().ShouldBe(0x1b36);
        var up0 = rp2["pci_bridge"]!["devices"]!.AsArray().Single()!;
        up0["qdev_id"]!.GetValue<string>().ShouldBe("up0");
        up0["id"]!["device"]!.GetValue<int>().ShouldBe(0x8232);
        up0["pci_bridge"]!["devices"]!.AsArray().Select(d => d!["qdev_id"]!.GetValue<string>()).ShouldBe(["dp0", "dp1"]);
    }

    [Fact]
    public async Task Add_resolves_the_guest_path_and_acpi_unplug_without_guest_is_reported_pending_until_reset()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        var added = await hp.AddAsync(QemuDevice.Pci("pci-testdev", "dev0", "dp0", addr: null), T, CancellationToken.None);
        added.GuestPath.ToString().ShouldBe("03/00/00/00");
        added.Bus.ShouldBe("dp0");

        var removed = await hp.RemoveAsync("dev0", TimeSpan.FromMilliseconds(300), CancellationToken.None);
        removed.Outcome.ShouldBe(PciDetachOutcome.UnplugPending);
        removed.HostDeviceReleased.ShouldBeFalse();
        removed.Detail.ShouldContain("do not rebind");
        hp.IsUnplugPending("dev0").ShouldBeTrue();

        // The pending id is never reused, and other commands keep flowing meanwhile.
        var reuse = await Should.ThrowAsync<QemuHotplugException>(() => hp.AddAsync(QemuDevice.Pci("pci-testdev", "dev0", "rp1"), T, CancellationToken.None));
        reuse.Message.ShouldContain("pending unplug");
        (await hp.AddAsync(QemuDevice.Pci("pci-testdev", "dev1", "rp1"), T, CancellationToken.None)).GuestPath.ToString().ShouldBe("02/00");
        // The port is still held by the pending device.
        (await Should.ThrowAsync<QemuHotplugException>(() => hp.AddAsync(QemuDevice.Pci("pci-testdev", "dev2", "dp0"), T, CancellationToken.None)))
            .Message.ShouldContain("already holds 'dev0'");

        var again = await hp.RemoveAsync("dev0", TimeSpan.FromMilliseconds(100), CancellationToken.None);
        again.Outcome.ShouldBe(PciDetachOutcome.UnplugPending);

        var completed = new TaskCompletionSource<string>();
        hp.UnplugCompleted += id => completed.TrySetResult(id);
        using var deleted = vm.Qmp.Subscribe("DEVICE_DELETED", e => e.DataString("device") == "dev0");
        await vm.Qmp.ExecuteAsync("system_reset", null, T, CancellationToken.None);
        (await deleted.WaitAsync(T, CancellationToken.None)).DataString("path").ShouldBe("/machine/peripheral/dev0");
        (await completed.Task.WaitAsync(T)).ShouldBe("dev0");
        (await hp.WaitForUnplugAsync("dev0", T, CancellationToken.None)).ShouldBeTrue();
        hp.PendingUnplugs.ShouldBeEmpty();

        // Id and port are free again.
        (await hp.AddAsync(QemuDevice.Pci("pci-testdev", "dev0", "dp0"), T, CancellationToken.None)).GuestPath.ToString().ShouldBe("03/00/00/00");
    }

    [Fact]
    public async Task Native_hotplug_releases_a_hot_added_device_at_once()
    {
        await using var vm = await StartAsync(PciHotplugMode.Native);
        using var hp = vm.Process.CreatePciHotplug();
        await hp.AddAsync(QemuDevice.Pci("pci-testdev", "n0", "rp0"), T, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        var r = await hp.RemoveAsync("n0", T, CancellationToken.None);
        r.Outcome.ShouldBe(PciDetachOutcome.Removed);
        r.HostDeviceReleased.ShouldBeTrue();
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10)); // ACPI mode would never complete without a guest
        hp.IsUnplugPending("n0").ShouldBeFalse();
        await hp.AddAsync(QemuDevice.Pci("pci-testdev", "n0", "rp0"), T, CancellationToken.None);
    }

    [Fact]
    public async Task Virtio_net_device_hotplug_on_a_bridge_slot()
    {
        await using var vm = await TestVm.StartAsync(s => s with { Topology = Topology(), HotplugMode = PciHotplugMode.Native, ExtraArguments = ["-netdev", "user,id=net0"] });
        using var hp = new PciHotplug(vm.Qmp, Topology());
        var r = await hp.AddAsync(QemuDevice.Pci("virtio-net-pci", "nic0", "pb0", "0x4", ("netdev", "net0")), T, CancellationToken.None);
        r.GuestPath.ToString().ShouldBe("05/04");
        var realized = await vm.Qmp.ExecuteAsync("qom-get", new() { ["path"] = "/machine/peripheral/nic0", ["property"] = "realized" }, T, CancellationToken.None);
        realized!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task Requests_outside_the_topology_are_refused_before_QEMU_is_asked()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology(), [QemuDevice.Pci("pci-testdev", "cold0", "rp1")]);
        async Task<string> Refused(QemuDevice d) => (await Should.ThrowAsync<QemuHotplugException>(() => hp.AddAsync(d, T, CancellationToken.None))).Message;
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "pcie.0"))).ShouldContain("pcie.0 refuses hotplug");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "rpnohp"))).ShouldContain("'rpnohp' is not a hotplug-capable port");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "up0"))).ShouldContain("'up0'");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "rp2"))).ShouldContain("already holds 'up0'");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "rp1"))).ShouldContain("already holds 'cold0'");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "rp0", "0x1"))).ShouldContain("use addr 0x0");
        (await Refused(QemuDevice.Pci("pci-testdev", "a", "pb0", null))).ShouldContain("explicit addr");
        (await Refused(QemuDevice.Pci("pci-testdev", "cold0", "rp0"))).ShouldContain("already attached");
    }

    [Fact]
    public async Task QEMU_refusal_is_quoted_and_the_port_is_freed()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        var ex = await Should.ThrowAsync<QemuHotplugException>(() =>
            hp.AddAsync(QemuDevice.VfioPci("vfio0", "0000:84:01.1", "rp0"), T, CancellationToken.None));
        ex.QemuError!.Description.ShouldBe("vfio /sys/bus/pci/devices/0000:84:01.1: no such host device: No such file or directory");
        ex.Message.ShouldContain("vfio-pci,id=vfio0,bus=rp0,addr=0x0,host=0000:84:01.1");
        (await hp.AddAsync(QemuDevice.Pci("pci-testdev", "vfio0", "rp0"), T, CancellationToken.None)).GuestPath.ToString().ShouldBe("01/00");
    }

    [Fact]
    public async Task Concurrent_adds_get_distinct_ports_and_a_contested_port_goes_to_one_caller()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        var ports = new[] { "rp0", "rp1", "dp0", "dp1" };
        var results = await Task.WhenAll(ports.Select((p, i) => hp.AddAsync(QemuDevice.Pci("pci-testdev", $"c{i}", p), T, CancellationToken.None)));
        results.Select(r => r.GuestPath.ToString()).ShouldBe(["01/00", "02/00", "03/00/00/00", "03/00/01/00"]);

        await hp.RemoveAsync("c0", TimeSpan.FromMilliseconds(50), CancellationToken.None);
        await vm.Qmp.ExecuteAsync("system_reset", null, T, CancellationToken.None);
        (await hp.WaitForUnplugAsync("c0", T, CancellationToken.None)).ShouldBeTrue();
        var contested = Enumerable.Range(0, 4).Select(i => hp.AddAsync(QemuDevice.Pci("pci-testdev", $"x{i}", "rp0"), T, CancellationToken.None)).ToArray();
        await Task.WhenAll(contested.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        contested.Count(t => t.IsCompletedSuccessfully).ShouldBe(1);
        contested.Where(t => t.IsFaulted).ShouldAllBe(t => t.Exception!.InnerException is QemuHotplugException);
    }

    [Fact]
    public async Task Removing_an_unknown_device_reports_not_present()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        var r = await hp.RemoveAsync("ghost", T, CancellationToken.None);
        r.Outcome.ShouldBe(PciDetachOutcome.NotPresent);
        r.Detail.ShouldContain("Device 'ghost' not found");
        hp.IsUnplugPending("ghost").ShouldBeFalse();
    }

    [Fact]
    public async Task A_pending_unplug_does_not_block_other_commands()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        await hp.AddAsync(QemuDevice.Pci("pci-testdev", "d0", "rp0"), T, CancellationToken.None);
        var removal = hp.RemoveAsync("d0", TimeSpan.FromSeconds(30), CancellationToken.None);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++) await vm.Qmp.ExecuteAsync("query-status", null, T, CancellationToken.None);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        removal.IsCompleted.ShouldBeFalse();
        await vm.Qmp.ExecuteAsync("system_reset", null, T, CancellationToken.None);
        (await removal).Outcome.ShouldBe(PciDetachOutcome.Removed);
    }

    [Fact]
    public async Task QEMU_dying_during_an_unplug_wait_fails_it_at_once()
    {
        await using var vm = await StartAsync();
        using var hp = new PciHotplug(vm.Qmp, Topology());
        await hp.AddAsync(QemuDevice.Pci("pci-testdev", "d0", "rp0"), T, CancellationToken.None);
        var removal = hp.RemoveAsync("d0", TimeSpan.FromSeconds(60), CancellationToken.None);
        hp.IsUnplugPending("d0").ShouldBeTrue();
        vm.Process.Kill();
        await Should.ThrowAsync<QmpConnectionLostException>(() => removal.WaitAsync(T));
    }
}
