namespace Shim.Qemu.Tests;

public sealed class CommandLineTests
{
    private static QemuLaunchSpec Spec() => new() { QmpSocketPath = "/run/k/qmp.sock" };

    private static QemuTopology FullTopology() => new(
        [new PcieRootPort("rp0", 1, 1), new PcieRootPort("rp1", 2, 2, Addr: "0x5", Hotplug: false), new PcieRootPort("rp2", 3, 3)],
        [new PcieSwitch("up0", "rp2", [new PcieDownstreamPort("dp0", 10, 0), new PcieDownstreamPort("dp1", 10, 1)])],
        [new PciBridge("pb1", 21, Bus: "pb0", Addr: "0x2"), new PciBridge("pb0", 20)]);

    [Fact]
    public void Builds_the_full_q35_command_line_in_dependency_order()
    {
        var spec = Spec() with
        {
            Accelerator = "kvm",
            CpuModel = "host,-arch-capabilities",
            MemoryMiB = 512,
            Smp = SmpTopology.Flat(2, 4),
            SharedMemory = true,
            StartPaused = true,
            HotplugMode = PciHotplugMode.Native,
            Kernel = "/k/vmlinux",
            Initrd = "/k/initrd.gz",
            KernelAppend = "console=ttyS0 quiet",
            Topology = FullTopology(),
            Devices = [QemuDevice.VfioPci("vfio0", "0000:84:01.1", "rp0", vendorId: 0x15b3, deviceId: 0x101e), ColdPlugDevice.Raw("virtio-rng-pci,bus=dp1")],
            ExtraArguments = ["-no-reboot"],
        };
        QemuCommandLine.Build(spec).ShouldBe(
        [
            "-machine", "q35,memory-backend=mem0", "-accel", "kvm", "-cpu", "host,-arch-capabilities",
            "-m", "512M", "-smp", "2,maxcpus=4,sockets=4,cores=1,threads=1",
            "-object", "memory-backend-memfd,id=mem0,size=512M,share=on",
            "-nodefaults", "-no-user-config", "-display", "none", "-S",
            "-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
            "-qmp", "unix:/run/k/qmp.sock,server=on,wait=off",
            "-kernel", "/k/vmlinux", "-initrd", "/k/initrd.gz", "-append", "console=ttyS0 quiet",
            "-device", "pcie-root-port,id=rp0,bus=pcie.0,chassis=1,slot=1",
            "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=2,slot=2,addr=0x5,hotplug=off",
            "-device", "pcie-root-port,id=rp2,bus=pcie.0,chassis=3,slot=3",
            "-device", "x3130-upstream,id=up0,bus=rp2",
            "-device", "xio3130-downstream,id=dp0,bus=up0,chassis=10,slot=0",
            "-device", "xio3130-downstream,id=dp1,bus=up0,chassis=10,slot=1",
            "-device", "pci-bridge,id=pb0,bus=pcie.0,chassis_nr=20",
            "-device", "pci-bridge,id=pb1,bus=pb0,chassis_nr=21,addr=0x2",
            "-device", "vfio-pci,id=vfio0,bus=rp0,addr=0x0,host=0000:84:01.1,x-pci-vendor-id=5555,x-pci-device-id=4126",
            "-device", "virtio-rng-pci,bus=dp1",
            "-no-reboot",
        ]);
    }

    [Fact]
    public void Minimal_spec_defaults_to_tcg_without_paused_start()
    {
        var args = QemuCommandLine.Build(Spec());
        args.ShouldContain("tcg");
        args.ShouldNotContain("-S");
        args.ShouldNotContain("-kernel");
        args.ShouldNotContain("-object");
        args[args.ToList().IndexOf("-machine") + 1].ShouldBe("q35");
    }

    public static TheoryData<string, Func<QemuLaunchSpec, QemuLaunchSpec>, string> Invalid => new()
    {
        { "dup chassis/slot", s => s with { Topology = new([new("rp0", 1, 1), new("rp1", 1, 1)], [], []) }, "chassis=1,slot=1 is already used" },
        { "dup id", s => s with { Topology = new([new("rp0", 1, 1), new("rp0", 2, 2)], [], []) }, "Device id 'rp0' is used twice" },
        { "unknown bus", s => s with { Devices = [QemuDevice.VfioPci("v0", "84:01.1", "rp0")] }, "Bus 'rp0' not found" },
        { "switch without its root port", s => s with { Topology = new([], [new PcieSwitch("up0", "rp9", [new("dp0", 10, 0)])], []) }, "'rp9', which is not in RootPorts" },
        { "occupied port", s => s with { Topology = QemuTopology.WithRootPorts(1), Devices = [QemuDevice.Pci("pci-testdev", "a", "rp0"), QemuDevice.Pci("pci-testdev", "b", "rp0")] }, "already holds 'a'" },
        { "switch port occupied by device", s => s with { Topology = FullTopology(), Devices = [QemuDevice.Pci("pci-testdev", "a", "rp2")] }, "already holds 'up0'" },
        { "bridge on unknown bus", s => s with { Topology = new([], [], [new PciBridge("pb0", 20, Bus: "nowhere")]) }, "sits on bus 'nowhere'" },
        { "smp product", s => s with { Smp = new SmpTopology(1, 4, 2, 1, 1) }, "product equal maxcpus" },
        { "smp cpus > max", s => s with { Smp = SmpTopology.Flat(5, 4) }, "cpus=5 maxcpus=4" },
        { "accelerator", s => s with { Accelerator = "hvf" }, "Accelerator 'hvf'" },
        { "initrd without kernel", s => s with { Initrd = "/x" }, "without Kernel" },
        { "comma in socket path", s => s with { QmpSocketPath = "/run/a,b.sock" }, "contains ','" },
        { "long socket path", s => s with { QmpSocketPath = "/" + new string('a', 120) }, "unix sockets allow 107" },
        { "bad qdev id", s => s with { Topology = new([new("0rp", 1, 1)], [], []) }, "'0rp' is not a valid qdev id" },
        { "bad bdf", s => s with { Topology = QemuTopology.WithRootPorts(1), Devices = [QemuDevice.VfioPci("v0", "zz:zz.z", "rp0")] }, "'zz:zz.z' is not a BDF" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_specs_are_refused_naming_the_value(string name, Func<QemuLaunchSpec, QemuLaunchSpec> mutate, string expected)
    {
        var ex = Should.Throw<QemuConfigurationException>(() => QemuCommandLine.Build(mutate(Spec())), name);
        ex.Message.ShouldContain(expected);
    }

    [Fact]
    public void Raw_device_strings_are_passed_through_unparsed()
    {
        var args = QemuCommandLine.Build(Spec() with { Devices = [ColdPlugDevice.Raw("vfio-pci,host=0000:01:00.0,bus=anything")] });
        args.ShouldContain("vfio-pci,host=0000:01:00.0,bus=anything");
    }

    [Fact]
    public void Serial_console_uses_a_unix_socket_chardev()
    {
        var args = QemuCommandLine.Build(Spec() with { SerialSocketPath = "/run/k/ser.sock" });
        args.ShouldContain("socket,id=ser0,path=/run/k/ser.sock,server=on,wait=off");
        args.ShouldContain("chardev:ser0");
    }
}
