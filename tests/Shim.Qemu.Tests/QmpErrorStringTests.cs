using System.Text.Json.Nodes;
using Shim.Qmp;

namespace Shim.Qemu.Tests;

/// <summary>Every QMP error string of qmp.md §8.1 and §10.2 that a guest-less QEMU 7.2 can produce, verbatim.</summary>
[Trait("Category", "Qemu")]
public sealed class QmpErrorStringTests
{
    private static readonly TimeSpan T = TestVm.Deadline;

    private static Task<TestVm> StartAsync() => TestVm.StartAsync(s => s with
    {
        Smp = Qemu.SmpTopology.Flat(1, 4),
        Topology = new QemuTopology(
            [new PcieRootPort("rp0", 1, 1), new PcieRootPort("rp1", 2, 2), new PcieRootPort("rpnohp", 3, 3, Hotplug: false)],
            [], []),
        ExtraArguments = ["-netdev", "user,id=net0"],
    });

    private static async Task<QmpCommandException> Fails(TestVm vm, string command, string argsJson)
    {
        var args = argsJson.Length == 0 ? null : JsonNode.Parse(argsJson)!.AsObject();
        return await Should.ThrowAsync<QmpCommandException>(() => vm.Qmp.ExecuteAsync(command, args, T, CancellationToken.None));
    }

    [Theory]
    [InlineData("device_add", """{"driver":"pci-testdev","id":"x1","bus":"nonexistent"}""", "GenericError", "Bus 'nonexistent' not found")]
    [InlineData("device_add", """{"driver":"no-such-driver","id":"x2"}""", "GenericError", "'no-such-driver' is not a valid device model name")]
    [InlineData("device_add", """{"id":"x3"}""", "GenericError", "Parameter 'driver' is missing")]
    [InlineData("device_add", """{"driver":"pci-testdev","id":"x4","bus":"pcie.0"}""", "GenericError", "Bus 'pcie.0' does not support hotplugging")]
    [InlineData("device_add", """{"driver":"pcie-root-port","id":"x5","bus":"pcie.0","chassis":9,"slot":9}""", "GenericError", "Bus 'pcie.0' does not support hotplugging")]
    [InlineData("device_add", """{"driver":"pci-testdev","id":"x6","bus":"rpnohp"}""", "GenericError", "Bus 'rpnohp' does not support hotplugging")]
    [InlineData("device_add", """{"driver":"vfio-pci","id":"x7","host":"0000:84:01.1","bus":"rp1"}""", "GenericError", "vfio /sys/bus/pci/devices/0000:84:01.1: no such host device: No such file or directory")]
    [InlineData("device_add", """{"driver":"vfio-pci","id":"x8","host":"84:01.1","bus":"rp1"}""", "GenericError", "vfio /sys/bus/pci/devices/0000:84:01.1: no such host device: No such file or directory")]
    [InlineData("device_add", """{"driver":"vfio-pci","id":"x9","bus":"rp1"}""", "GenericError", "No provided host device")]
    [InlineData("device_add", """{"driver":"vfio-pci","id":"x10","host":"zz:zz.z","bus":"rp1"}""", "GenericError", "Property 'vfio-pci.host' doesn't take value 'zz:zz.z'")]
    [InlineData("device_add", """{"driver":"virtio-net-pci","id":"x11","netdev":"nope","bus":"rp1"}""", "GenericError", "Property 'virtio-net-device.netdev' can't find value 'nope'")]
    [InlineData("device_add", """{"driver":"virtio-net-pci","id":"x12","bogus-prop":"1","bus":"rp1"}""", "GenericError", "Property 'virtio-net-pci.bogus-prop' not found")]
    [InlineData("device_del", """{"id":"does-not-exist"}""", "DeviceNotFound", "Device 'does-not-exist' not found")]
    [InlineData("device_del", """{"id":"rp0"}""", "GenericError", "Bus 'pcie.0' does not support hotplugging")]
    [InlineData("blah", "", "CommandNotFound", "The command blah has not been found")]
    [InlineData("device_add", """{"driver":"qemu64-x86_64-cpu","id":"c1","socket-id":4,"core-id":0,"thread-id":0}""", "GenericError", "Invalid CPU socket-id: 4 must be in range 0:3")]
    [InlineData("device_add", """{"driver":"qemu64-x86_64-cpu","id":"c2","socket-id":1,"core-id":1,"thread-id":0}""", "GenericError", "Invalid CPU core-id: 1 must be in range 0:0")]
    [InlineData("device_add", """{"driver":"qemu64-x86_64-cpu","id":"c3"}""", "GenericError", "CPU socket-id is not set")]
    [InlineData("device_add", """{"driver":"qemu64-x86_64-cpu","id":"c4","socket-id":0,"core-id":0,"thread-id":0}""", "GenericError", "CPU[0] with APIC ID 0 exists")]
    [InlineData("device_add", """{"driver":"host-x86_64-cpu","id":"c5","socket-id":1,"core-id":0,"thread-id":0}""", "GenericError", "Invalid CPU type, expected cpu type: 'qemu64-x86_64-cpu'")]
    public async Task QEMU_error_is_carried_verbatim(string command, string args, string cls, string desc)
    {
        await using var vm = await StartAsync();
        var ex = await Fails(vm, command, args);
        ex.ErrorClass.ShouldBe(cls);
        ex.Description.ShouldBe(desc);
        ex.Command.ShouldBe(command);
    }

    [Fact]
    public async Task Stateful_errors_duplicate_id_occupied_slot_pending_unplug()
    {
        await using var vm = await StartAsync();
        await vm.Qmp.ExecuteAsync("device_add", JsonNode.Parse("""{"driver":"virtio-net-pci","id":"nic0","netdev":"net0","bus":"rp0"}""")!.AsObject(), T, CancellationToken.None);
        (await Fails(vm, "device_add", """{"driver":"pci-testdev","id":"nic0","bus":"rp1"}""")).Description.ShouldBe("Duplicate device ID 'nic0'");
        (await Fails(vm, "device_add", """{"driver":"virtio-net-pci","id":"nic9","bus":"rp0","addr":"0x0"}""")).Description
            .ShouldBe("PCI: slot 0 function 0 not available for virtio-net-pci, in use by virtio-net-pci,id=nic0");
        await vm.Qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = "nic0" }, T, CancellationToken.None);
        (await Fails(vm, "device_del", """{"id":"nic0"}""")).Description.ShouldBe("Device nic0 is already in the process of unplug");
        (await Fails(vm, "device_add", """{"driver":"pci-testdev","id":"nic0","bus":"rp1"}""")).Description.ShouldBe("Duplicate device ID 'nic0'");
    }

    [Fact]
    public async Task Occupied_port_quirk_and_multifunction_errors()
    {
        await using var vm = await StartAsync();
        async Task Add(string json) => await vm.Qmp.ExecuteAsync("device_add", JsonNode.Parse(json)!.AsObject(), T, CancellationToken.None);
        await Add("""{"driver":"pci-testdev","id":"nic0","bus":"rp0"}""");
        // qmp.md §7.1: without addr the second device lands at slot 1 of the port's bus (invisible to a Linux guest).
        await Add("""{"driver":"pci-testdev","id":"nicY","bus":"rp0"}""");
        (await Fails(vm, "device_add", """{"driver":"pci-testdev","id":"nicZ","bus":"rp0","addr":"0x1"}""")).Description
            .ShouldBe("PCI: slot 1 function 0 not available for pci-testdev, in use by pci-testdev,id=nicY");
        await Add("""{"driver":"pci-testdev","id":"fn1","bus":"rp1","addr":"0x0.0x1"}""");
        (await Fails(vm, "device_add", """{"driver":"pci-testdev","id":"fn0","bus":"rp1","addr":"00.0"}""")).Description
            .ShouldBe("PCI: 0.0 indicates single function, but 0.1 is already populated.");
    }

    [Fact]
    public async Task Cpu_errors_duplicate_id_and_guestless_unplug()
    {
        await using var vm = await StartAsync();
        await vm.Qmp.ExecuteAsync("device_add", JsonNode.Parse("""{"driver":"qemu64-x86_64-cpu","id":"cpu1","socket-id":1,"core-id":0,"thread-id":0}""")!.AsObject(), T, CancellationToken.None);
        (await Fails(vm, "device_add", """{"driver":"qemu64-x86_64-cpu","id":"cpu1","socket-id":2,"core-id":0,"thread-id":0}""")).Description.ShouldBe("Duplicate device ID 'cpu1'");
        (await Fails(vm, "device_add", """{"driver":"qemu64-x86_64-cpu","id":"cpu7","socket-id":1,"core-id":0,"thread-id":0}""")).Description.ShouldBe("CPU[1] with APIC ID 1 exists");
        (await Fails(vm, "device_del", """{"id":"cpu1"}""")).Description.ShouldBe("acpi: device unplug request for not supported device type: qemu64-x86_64-cpu");
        await vm.Qmp.ExecuteAsync("device_add", JsonNode.Parse("""{"driver":"qemu64-x86_64-cpu","id":"cpu3","socket-id":3,"core-id":0,"thread-id":0}""")!.AsObject(), T, CancellationToken.None);
        (await Fails(vm, "device_add", """{"driver":"qemu64-x86_64-cpu","id":"cpu8","socket-id":3,"core-id":0,"thread-id":0}""")).Description.ShouldBe("CPU[3] with APIC ID 3 exists");
    }
}
