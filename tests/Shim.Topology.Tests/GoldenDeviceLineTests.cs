using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>Exact <c>-device</c> text, and that every bus a device names is one the plan creates (W10).</summary>
public class GoldenDeviceLineTests
{
    [Fact]
    public void Root_ports_and_a_cold_plugged_vf()
    {
        var plan = Fixtures.PlanOk(Fixtures.RootPorts(2), Fixtures.Nic());

        plan.DeviceArguments.ShouldBe(
        [
            "pcie-root-port,id=rp0,bus=pcie.0,chassis=0,slot=0,multifunction=off",
            "pcie-root-port,id=rp1,bus=pcie.0,chassis=0,slot=1,multifunction=off",
            "pci-bridge,id=pci-bridge-0,bus=pcie.0,chassis_nr=3",
            "vfio-pci,host=0000:84:01.1,id=vfio-0000-84-01.1,x-pci-vendor-id=0x15b3,x-pci-device-id=0x101e,bus=rp0",
        ]);
        plan.ToQemuArguments().Take(2).ShouldBe(["-device", "pcie-root-port,id=rp0,bus=pcie.0,chassis=0,slot=0,multifunction=off"]);
        var vfio = plan.ColdPlug.Single().Vfio;
        vfio.Bus.ShouldBe("rp0");
        vfio.CommandLineProperties.Select(p => p.Name).ShouldBe(["host", "id", "x-pci-vendor-id", "x-pci-device-id", "bus"]);
        BusesExist(plan);
    }

    [Fact]
    public void Switch_ports()
    {
        var settings = new TopologySettings { ColdPlugVfio = PortType.SwitchPort, PcieSwitchPort = 2, DefaultBridges = 0 };

        var plan = Fixtures.PlanOk(settings, Fixtures.Gpu());

        plan.DeviceArguments.ShouldBe(
        [
            "pcie-root-port,id=swrp0,bus=pcie.0,chassis=1,slot=0,multifunction=off",
            "x3130-upstream,id=swup0,bus=swrp0",
            "xio3130-downstream,id=swdp0,bus=swup0,chassis=2,slot=0",
            "xio3130-downstream,id=swdp1,bus=swup0,chassis=2,slot=1",
            "vfio-pci,host=0000:01:00.0,id=vfio-0000-01-00.0,x-pci-vendor-id=0x10de,x-pci-device-id=0x2230,bus=swdp0",
            "vfio-pci,host=0000:01:00.1,id=vfio-0000-01-00.1,x-pci-vendor-id=0x10de,x-pci-device-id=0x1aef,bus=swdp1",
        ]);
        BusesExist(plan);
    }

    [Fact]
    public void Bridge_port_on_pc_names_the_bridge_it_creates_and_a_slot()
    {
        var settings = new TopologySettings { MachineType = "pc", ColdPlugVfio = PortType.BridgePort, DefaultBridges = 1 };

        var plan = Fixtures.PlanOk(settings, Fixtures.Nic(), Fixtures.Nic("eth2", "0000:84:01.2"));

        plan.RootBus.ShouldBe("pci.0");
        plan.DeviceArguments.ShouldBe(
        [
            "pci-bridge,id=pci-bridge-0,bus=pci.0,chassis_nr=3",
            "vfio-pci,host=0000:84:01.1,id=vfio-0000-84-01.1,x-pci-vendor-id=0x15b3,x-pci-device-id=0x101e,bus=pci-bridge-0,addr=0x1",
            "vfio-pci,host=0000:84:01.2,id=vfio-0000-84-01.2,x-pci-vendor-id=0x15b3,x-pci-device-id=0x101e,bus=pci-bridge-0,addr=0x2",
        ]);
        plan.ColdPlug.Select(p => p.Port.Id).ShouldBe(["pci-bridge-0/0x01", "pci-bridge-0/0x02"]);
        BusesExist(plan);
    }

    [Fact]
    public void Viommu_comes_first_with_split_irqchip_and_guest_parameters()
    {
        var settings = Fixtures.RootPorts(1) with { EnableIommu = true, DefaultBridges = 0 };

        var plan = Fixtures.PlanOk(settings, Fixtures.Nic());

        plan.DeviceArguments[0].ShouldBe("intel-iommu,intremap=on,device-iotlb=on,caching-mode=on");
        plan.MachineOptions.ShouldBe(["kernel-irqchip=split"]);
        plan.KernelParameters.ShouldBe(["intel_iommu=on", "iommu=pt"]);
    }

    [Fact]
    public void Hot_plug_arguments_always_carry_addr_zero_on_a_root_port()
    {
        var settings = new TopologySettings { HotPlugVfio = PortType.RootPort, PcieRootPort = 2 };

        var plan = Fixtures.PlanOk(settings, Fixtures.Nic());

        plan.ColdPlug.ShouldBeEmpty();
        var hot = plan.HotPlug.Single().Vfio;
        hot.DeviceAddArguments.Select(a => a.ToString()).ShouldBe(
            ["driver=vfio-pci", "id=vfio-0000-84-01.1", "host=0000:84:01.1", "bus=rp0", "addr=0x0"]);
    }

    internal static void BusesExist(TopologyPlan plan)
    {
        var buses = plan.Topology.Where(d => d.Id.Length > 0).Select(d => d.Id).Append(plan.RootBus).ToHashSet();
        foreach (var d in plan.Topology)
        {
            var bus = d.Properties.FirstOrDefault(p => p.Name == "bus");
            if (bus is not null)
            {
                buses.ShouldContain(bus.Value);
            }
        }

        foreach (var p in plan.ColdPlug.Concat(plan.HotPlug))
        {
            buses.ShouldContain(p.Vfio.Bus);
        }
    }
}
