using Microsoft.Extensions.Logging.Abstractions;
using Shim.Abstractions;
using Shim.HostPci;
using Shim.Sandbox.Pipeline;
using Shim.SysfsEmulator;

namespace Shim.Pipeline.Tests;

public sealed class HostNetworkActionsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kataplug-hostnet-" + Guid.NewGuid().ToString("N"));
    private readonly HostInventory _inventory;

    public HostNetworkActionsTests()
    {
        var host = new EmulatedHostBuilder().SriovNic("0000:3b:00.0", totalVfs: 2, numVfs: 1, ifName: "ens9f0").Build(_root);
        _inventory = PciInventory.Read(host.Sysfs);
    }

    private static AttachmentRequest WithMac(string pf, int? index) => new("physical-vf", "net1", EndpointKind.Physical)
    {
        HostActions = [new SetVfAdministrativeMac("0000:3b:10.0", pf, index, "02:00:00:00:00:11")],
    };

    [Fact]
    public void On_an_emulated_sysfs_tree_the_host_network_is_left_alone()
    {
        // ens9f0 exists only in the emulated tree; touching the real host's links would fail or, worse, change them.
        Should.NotThrow(() => HostNetworkActions.Apply([WithMac("0000:3b:00.0", 0)], _inventory, _root, NullLogger.Instance, "s1"));
    }

    [Fact]
    public void A_pf_without_a_host_netdev_is_refused_with_the_setting_that_skips_the_mac()
    {
        var e = Should.Throw<InvalidOperationException>(() =>
            HostNetworkActions.Apply([WithMac("0000:99:00.0", 0)], _inventory, "/", NullLogger.Instance, "s1"));
        e.Message.ShouldContain("0000:99:00.0");
        e.Message.ShouldContain("set_admin_mac = false");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
