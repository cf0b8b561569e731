using Shim.Abstractions;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;

namespace Shim.Guest.Tests;

public class ContainerDeviceEntriesTests
{
    private static readonly ContainerVfioDevice Gpu = new("/dev/vfio/45", 45, VfioMode.Vfio, ["0000:af:00.0", "0000:af:00.1"], false);
    private static readonly ContainerVfioDevice Vf = new("/dev/vfio/12", 12, VfioMode.GuestKernel, ["0000:3b:02.0"], true);

    [Fact]
    public void Each_group_is_one_entry_with_an_option_per_resolved_function()
    {
        var entries = ContainerDeviceEntries.Build([Gpu, Vf], new Dictionary<string, string>
        {
            ["0000:af:00.0"] = "01/00", ["0000:af:00.1"] = "01/00.1", ["0000:3b:02.0"] = "02/00",
        });

        entries.ShouldBe([
            new Device { Id = "45", Type = "vfio-pci", ContainerPath = "/dev/vfio/45", Options = { "0000:af:00.0=01/00", "0000:af:00.1=01/00.1" } },
            new Device { Id = "12", Type = "vfio-pci-gk", ContainerPath = "/dev/vfio/12", Options = { "0000:3b:02.0=02/00" } },
        ]);
        entries.ShouldAllBe(e => e.VmPath == "");
    }

    [Fact]
    public void Unresolved_functions_are_left_out_and_a_group_with_none_is_omitted()
    {
        var entries = ContainerDeviceEntries.Build([Gpu, Vf], new Dictionary<string, string> { ["0000:af:00.1"] = "01/00.1", ["0000:3b:02.0"] = "" });

        entries.Single().Options.ShouldBe(["0000:af:00.1=01/00.1"]);
    }

    [Fact]
    public void Bdfs_match_whatever_their_case()
    {
        var upper = Vf with { Bdfs = ["0000:3B:02.0"] };

        var entries = ContainerDeviceEntries.Build([upper], new Dictionary<string, string> { ["0000:3b:02.0"] = "02/00" });

        entries.Single().Options.ShouldBe(["0000:3b:02.0=02/00"]);
    }

    [Fact]
    public void A_bdf_that_is_no_pci_address_is_refused()
    {
        var odd = Vf with { Bdfs = ["3b:02.0"] };

        Should.Throw<ArgumentException>(() => ContainerDeviceEntries.Build([odd], new Dictionary<string, string> { ["3b:02.0"] = "02/00" }))
            .Message.ShouldContain("'3b:02.0'");
    }

    [Fact]
    public void No_devices_no_entries() =>
        ContainerDeviceEntries.Build([], new Dictionary<string, string>()).ShouldBeEmpty();
}
