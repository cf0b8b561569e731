using System.Diagnostics;
using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>
/// Real QEMU 7.2 accepts the generated topology and every bus a VFIO device names exists (W10). QEMU checks a
/// device's <c>bus</c> before its host device (qmp.md §6.1), so with a host BDF that does not exist the run must
/// end in "no such host device" — never "Bus '…' not found" or an error on a port/bridge/switch line.
/// </summary>
[Trait("Category", "Qemu")]
public class QemuAcceptsPlanTests
{
    private const string Qemu = "/usr/bin/qemu-system-x86_64";

    public static TheoryData<string, TopologySettings, DeviceRequest[]> Plans => new()
    {
        { "root ports + vIOMMU", Fixtures.RootPorts(3) with { EnableIommu = true }, [Fixtures.Gpu(), Fixtures.Nic()] },
        { "switch", new TopologySettings { ColdPlugVfio = PortType.SwitchPort, PcieSwitchPort = 3, PcieRootPort = 1 }, [Fixtures.Gpu(), Fixtures.Nic()] },
        { "bridge-port on q35", new TopologySettings { ColdPlugVfio = PortType.BridgePort, DefaultBridges = 2, PcieRootPort = 2 }, [Fixtures.Gpu(), Fixtures.Nic()] },
        { "bridge-port on pc", new TopologySettings { MachineType = "pc", ColdPlugVfio = PortType.BridgePort, DefaultBridges = 1 }, [Fixtures.Gpu()] },
        { "hot plug onto root ports", new TopologySettings { HotPlugVfio = PortType.RootPort, PcieRootPort = 4 }, [Fixtures.Gpu(), Fixtures.Nic()] },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public async Task Qemu_creates_the_topology_and_finds_every_bus(string name, TopologySettings settings, DeviceRequest[] requests)
    {
        File.Exists(Qemu).ShouldBeTrue($"{Qemu} is required for the Qemu test tier (apt-get install qemu-system-x86)");
        var plan = Fixtures.PlanOk(settings, requests);
        var placements = plan.ColdPlug.Concat(plan.HotPlug).ToArray();
        placements.ShouldNotBeEmpty(name);

        foreach (var p in placements)
        {
            // A host address no machine has, on the planned bus.
            var absent = p.Vfio with { Host = "0000:fe:1f.7" };
            var args = plan.Topology.Select(d => d.DeviceArgument).Append(absent.CommandLineArgument).ToArray();
            var stderr = await RunAsync(plan, args);

            stderr.ShouldContain("no such host device", customMessage: $"{name}: {p.Port.Id}\n{stderr}");
            stderr.ShouldNotContain("not found", customMessage: name);
        }
    }

    private static async Task<string> RunAsync(TopologyPlan plan, IEnumerable<string> deviceArgs)
    {
        var machine = string.Join(",", new[] { plan.MachineType }.Concat(plan.MachineOptions));
        var psi = new ProcessStartInfo(Qemu)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in new[] { "-machine", machine, "-accel", "tcg", "-nodefaults", "-display", "none", "-m", "64", "-S", "-no-user-config" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var d in deviceArgs)
        {
            psi.ArgumentList.Add("-device");
            psi.ArgumentList.Add(d);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Qemu}");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"QEMU did not exit within 30 s for: {string.Join(" ", psi.ArgumentList)}");
        }

        process.ExitCode.ShouldBe(1);
        return await stderr;
    }
}
