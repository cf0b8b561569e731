using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

public class SysfsRootTests
{
    [Theory]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("vfio-pci\n")]
    [InlineData("vfio\0pci")]
    [InlineData("ｖfio")]
    public void Driver_names_are_validated_before_joining(string name)
    {
        var root = new SysfsRoot("/tmp/x");
        var e = Should.Throw<ArgumentException>(() => root.Driver(name));
        e.Message.ShouldContain("driver name");
    }

    [Fact]
    public void Negative_group_numbers_are_refused() =>
        Should.Throw<ArgumentOutOfRangeException>(() => new SysfsRoot("/tmp/x").DevVfioGroup(-1));

    [Theory]
    [InlineData("42", true, 42)]
    [InlineData("0", true, 0)]
    [InlineData("042", false, -1)]
    [InlineData("4 2", false, -1)]
    [InlineData("٤٢", false, -1)]
    [InlineData("../1", false, -1)]
    public void Group_numbers_from_links_are_plain_decimals(string text, bool ok, int expected)
    {
        SysfsName.TryParseGroup(text, out var g).ShouldBe(ok);
        g.ShouldBe(expected);
    }

    [Fact]
    public void Paths_are_built_under_the_root()
    {
        var root = new SysfsRoot("/tmp/fake/");
        root.Path.ShouldBe("/tmp/fake");
        root.Device(PciAddress.Parse("0000:3b:02.1")).ShouldBe("/tmp/fake/sys/bus/pci/devices/0000:3b:02.1");
        root.DevVfioGroup(42).ShouldBe("/tmp/fake/dev/vfio/42");
        root.DriverUnbind("vfio-pci").ShouldBe("/tmp/fake/sys/bus/pci/drivers/vfio-pci/unbind");
        SysfsRoot.Host.Device(PciAddress.Parse("0000:3b:02.1")).ShouldBe("/sys/bus/pci/devices/0000:3b:02.1");
    }

    [Fact]
    public void A_link_that_escapes_the_root_is_refused_and_skipped()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0"));
        // A hostile tree: a device link pointing at the real /etc, and an attribute link leaving the root.
        File.CreateSymbolicLink(Path.Combine(t.Host.Layout.BusDevices, "0000:06:00.0"), "/etc");
        var real = t.Host.Kernel.RealDir("0000:05:00.0")!;
        File.Delete(Path.Combine(real, "driver_override"));
        File.CreateSymbolicLink(Path.Combine(real, "driver_override"), "../../../../../../../../../../../../tmp/outside");

        var e = Should.Throw<UnauthorizedAccessException>(() => t.Root.ResolveInside(t.Root.DeviceAttribute(PciAddress.Parse("0000:05:00.0"), "driver_override")));
        e.Message.ShouldContain("outside the sysfs root");
        Should.Throw<UnauthorizedAccessException>(() => t.Root.ResolveInside(t.Root.Device(PciAddress.Parse("0000:06:00.0")) + "/passwd"));

        var inventory = PciInventory.Read(t.Root);
        inventory.Functions.Keys.Select(k => k.ToString()).ShouldBe(["0000:05:00.0"]);
        inventory.Warnings.ShouldContain(w => w.Contains("0000:06:00.0"));
    }

    [Fact]
    public void Resolve_follows_relative_device_links_inside_the_root()
    {
        using var t = new TestHost(b => b.RootPort("0000:00:02.0").Nic("0000:3b:00.0", behind: "0000:00:02.0"));
        var resolved = t.Root.ResolveInside(t.Root.DeviceAttribute(PciAddress.Parse("0000:3b:00.0"), "driver_override"));
        resolved.ShouldBe(Path.Combine(t.Host.Root, "sys/devices/pci0000:00/0000:00:02.0/0000:3b:00.0/driver_override"));
    }

    [Fact]
    public void Entries_that_are_not_canonical_bdfs_are_ignored_with_a_warning()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0"));
        var real = t.Host.Kernel.RealDir("0000:05:00.0")!;
        File.CreateSymbolicLink(Path.Combine(t.Host.Layout.BusDevices, "0000:05:00.0x"), Path.GetRelativePath(t.Host.Layout.BusDevices, real));
        File.CreateSymbolicLink(Path.Combine(t.Host.Layout.BusDevices, "0000:05:0A.0"), Path.GetRelativePath(t.Host.Layout.BusDevices, real));
        var inventory = PciInventory.Read(t.Root);
        inventory.Functions.Count.ShouldBe(1);
        inventory.Warnings.ShouldContain(w => w.Contains("0000:05:00.0x"));
        inventory.Warnings.ShouldContain(w => w.Contains("0000:05:0A.0"));
    }
}
