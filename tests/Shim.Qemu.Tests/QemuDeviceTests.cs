using System.Text.Json.Nodes;

namespace Shim.Qemu.Tests;

public sealed class QemuDeviceTests
{
    [Fact]
    public void Vfio_device_renders_the_same_data_for_cold_and_hot_plug()
    {
        var d = QemuDevice.VfioPci("vfio-3f2a", "84:01.1", "rp1", vendorId: 0x15b3, deviceId: 0x101e, romfile: "/r.rom", iommufdId: "iommufd0");
        d.ToDeviceArgument().ShouldBe("vfio-pci,id=vfio-3f2a,bus=rp1,addr=0x0,host=0000:84:01.1,x-pci-vendor-id=5555,x-pci-device-id=4126,romfile=/r.rom,iommufd=iommufd0");
        var json = d.ToDeviceAddArguments();
        JsonNode.DeepEquals(json, JsonNode.Parse("""
            {"driver":"vfio-pci","id":"vfio-3f2a","bus":"rp1","addr":"0x0","host":"0000:84:01.1",
             "x-pci-vendor-id":5555,"x-pci-device-id":4126,"romfile":"/r.rom","iommufd":"iommufd0"}
            """)).ShouldBeTrue(json.ToJsonString());
    }

    [Fact]
    public void Vfio_device_without_optional_properties_has_only_host_bus_addr_id()
    {
        var json = QemuDevice.VfioPci("v0", "0000:AB:1F.7", "dp0").ToDeviceAddArguments();
        json.ToJsonString().ShouldBe("""{"driver":"vfio-pci","id":"v0","bus":"dp0","addr":"0x0","host":"0000:ab:1f.7"}""");
    }

    [Theory]
    [InlineData("84:01.1", "0000:84:01.1")]
    [InlineData("0001:84:01.1", "0001:84:01.1")]
    [InlineData("0000:0A:1f.7", "0000:0a:1f.7")]
    public void Bdf_is_normalized(string input, string expected) => PciAddressFormat.NormalizeBdf(input).ShouldBe(expected);

    [Theory]
    [InlineData("zz:zz.z")]
    [InlineData("84:01.8")]
    [InlineData("84:20.0")]
    [InlineData("")]
    [InlineData("0000:84:01")]
    public void Bad_bdf_is_refused_before_QEMU_sees_it(string input) =>
        Should.Throw<QemuConfigurationException>(() => PciAddressFormat.NormalizeBdf(input)).Message.ShouldContain($"'{input}'");

    [Fact]
    public void Commas_in_values_are_escaped_for_the_command_line()
    {
        var d = QemuDevice.Pci("virtio-net-pci", "n0", "rp0", "0x0", ("romfile", "/a,b"), ("disable-legacy", true), ("vectors", 4));
        d.ToDeviceArgument().ShouldBe("virtio-net-pci,id=n0,bus=rp0,addr=0x0,romfile=/a,,b,disable-legacy=on,vectors=4");
        d.ToDeviceAddArguments()["disable-legacy"]!.GetValue<bool>().ShouldBeTrue();
        d.ToDeviceAddArguments()["vectors"]!.GetValue<int>().ShouldBe(4);
    }

    [Fact]
    public void Guest_pci_path_formats_two_hex_digits_per_slot()
    {
        new GuestPciPath([3, 0]).ToString().ShouldBe("03/00");
        new GuestPciPath([0x1f, 0x10, 0]).ToString().ShouldBe("1f/10/00");
        new GuestPciPath([2, 0]).ShouldBe(new GuestPciPath([2, 0]));
    }

    [Fact]
    public void Stderr_errors_exclude_harmless_warnings()
    {
        var log = new StderrLog();
        log.Add("qemu-system-x86_64: warning: netdev net1 has no peer");
        log.Add("qemu-system-x86_64: -device vfio-pci,host=0000:84:01.1,bus=x: Bus 'x' not found");
        log.Errors.ShouldBe("qemu-system-x86_64: -device vfio-pci,host=0000:84:01.1,bus=x: Bus 'x' not found");
        log.Text.ShouldContain("warning: netdev net1 has no peer");
    }
}
