using System.Text.Json.Nodes;
using Shim.Qemu;
using Shim.Qmp;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>
/// hack/qemu-vfio-standin: the command line the shim builds for a cold-plugged VF (vfio-pci with host= and the
/// x-pci-* ids) is accepted once rewritten, and the emulated NIC sits at the planned slot under the planned port.
/// </summary>
[Trait("Category", "Qemu")]
public sealed class QemuStandInTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ColdPluggedVfioPci_IsRewrittenToAnEmulatedNic_AtThePlannedSlot_AndLogged()
    {
        var dir = Directory.CreateTempSubdirectory("kqs-").FullName;
        try
        {
            var spec = new QemuLaunchSpec
            {
                Binary = QemuStandIn.Path,
                QmpSocketPath = Path.Combine(dir, "qmp.sock"),
                StartPaused = true,
                MemoryMiB = 128,
                Topology = QemuTopology.WithRootPorts(2),
                // A host BDF that exists nowhere: the real QEMU would refuse it ("no such host device").
                Devices = [QemuDevice.VfioPci("vfio-0000-3b-02.1", "0000:3b:02.1", "rp1", vendorId: 0x8086, deviceId: 0x154c)],
            };
            var vfioArgument = QemuCommandLine.Build(spec).Single(a => a.StartsWith("vfio-pci,", StringComparison.Ordinal));
            await using var qemu = await QemuProcess.StartAsync(spec, Patience, CancellationToken.None);

            var argv = File.ReadAllText($"/proc/{qemu.Pid}/cmdline").Split('\0');
            argv[0].ShouldBe("/usr/bin/qemu-system-x86_64"); // exec'd: the pid the shim records is QEMU's own
            argv.ShouldContain($"{QemuStandIn.Nic},id=vfio-0000-3b-02.1,bus=rp1,addr=0x0");
            argv.ShouldNotContain(a => a.StartsWith("vfio-pci", StringComparison.Ordinal));
            qemu.Stderr.Text.ShouldContain($"qemu-vfio-standin: -device {vfioArgument} -> -device {QemuStandIn.Nic},id=vfio-0000-3b-02.1,bus=rp1,addr=0x0");

            var planned = await GuestPciPathResolver.FromQomAsync(qemu.Qmp, "vfio-0000-3b-02.1", Patience, CancellationToken.None);
            await qemu.Qmp.ExecuteAsync("cont", null, Patience, CancellationToken.None);
            var listed = await GuestPciPathResolver.WaitForQueryPciAsync(qemu.Qmp, "vfio-0000-3b-02.1", Patience, CancellationToken.None);
            output.WriteLine($"QOM path {planned}, query-pci path {listed}");
            listed.ShouldBe(planned);
            planned.Slots.Count.ShouldBe(2); // root port slot / device slot 0
            planned.Slots[1].ShouldBe(0);

            // The second monitor answers while the launcher holds the first (as the shim does).
            await using var observer = await QmpClient.ConnectAsync(QemuStandIn.ObserverSocket(spec.QmpSocketPath), Patience, CancellationToken.None);
            var pci = await observer.ExecuteAsync("query-pci", null, Patience, CancellationToken.None);
            var nic = Find(pci as JsonArray, "vfio-0000-3b-02.1").ShouldNotBeNull();
            nic["class_info"]?["desc"]?.GetValue<string>().ShouldBe("Ethernet controller");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The device <paramref name="qdevId"/> in query-pci's buses, behind bridges too.</summary>
    private static JsonObject? Find(JsonArray? buses, string qdevId) =>
        (buses ?? []).Select(bus => FindOn(bus, qdevId)).FirstOrDefault(d => d is not null);

    private static JsonObject? FindOn(JsonNode? bus, string qdevId)
    {
        foreach (var device in (bus?["devices"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (device["qdev_id"]?.GetValue<string>() == qdevId) return device;
            if (FindOn(device["pci_bridge"], qdevId) is { } behind) return behind;
        }
        return null;
    }
}
