using Shim.Qemu;
using Shim.Configuration;
using Shim.Sandbox.Pipeline;
using Shim.Topology;

namespace Shim.Pipeline.Tests;

/// <summary>The pure parts of the pipeline: the OCI spec's netns, the QEMU launch and the ports hotplug must know.</summary>
public sealed class PipelineMappingTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("kpm-").FullName;

    [Fact]
    public void OciSpec_NetworkNamespaceWithAPath_IsThePodsNetns()
    {
        File.WriteAllText(Path.Combine(dir, "config.json"),
            """{"linux":{"namespaces":[{"type":"pid"},{"type":"network","path":"/var/run/netns/pod1"},{"type":"mount"}]}}""");

        var spec = OciSandboxSpec.Load(dir);

        spec.NetworkNamespacePath.ShouldBe("/var/run/netns/pod1");
        spec.Json.ShouldContain("\"namespaces\"");
    }

    [Theory]
    [InlineData("""{"linux":{"namespaces":[{"type":"network"}]}}""")]
    [InlineData("""{"linux":{"namespaces":[{"type":"pid","path":"/proc/1/ns/pid"}]}}""")]
    [InlineData("""{"annotations":{}}""")]
    public void OciSpec_WithoutANetworkNamespacePath_HasNoNetns(string json)
    {
        File.WriteAllText(Path.Combine(dir, "config.json"), json);

        OciSandboxSpec.Load(dir).NetworkNamespacePath.ShouldBeNull();
    }

    [Fact]
    public void OciSpec_MissingFile_IsEmpty_AndCorruptFile_NamesThePath()
    {
        OciSandboxSpec.Load(dir).ShouldBe(OciSandboxSpec.Empty);

        File.WriteAllText(Path.Combine(dir, "config.json"), "{not json");
        Should.Throw<InvalidDataException>(() => OciSandboxSpec.Load(dir)).Message.ShouldContain(Path.Combine(dir, "config.json"));
    }

    [Fact]
    public void LaunchSpec_TakesQemuSettingsAndEveryPlanDeviceVerbatim_StartsPaused_WithTheQmpSocketInTheSandboxState()
    {
        var config = ConfigurationLoader.Load("""
            [hypervisor.qemu]
            path = "/opt/qemu/bin/qemu-system-x86_64"
            machine_type = "q35"
            accelerator = "kvm"
            default_vcpus = 2
            default_memory = 512
            cold_plug_vfio = "root-port"
            pcie_root_port = 2
            [agent.kata]
            address = "unix:///run/agent.sock"
            """u8, "test.toml");
        var plan = PlanWithOneVf(config);
        var state = SandboxStateDirectory.For("/run/kp", "sb1");

        var spec = QemuLaunchMapping.ToLaunchSpec(config, plan, state);
        spec.ExtraArguments.ShouldBe(["-name", "sandbox-sb1,debug-threads=on"]);

        spec.Binary.ShouldBe("/opt/qemu/bin/qemu-system-x86_64");
        spec.Accelerator.ShouldBe("kvm");
        spec.MemoryMiB.ShouldBe(512);
        spec.Smp.Cpus.ShouldBe(2);
        spec.StartPaused.ShouldBeTrue();
        spec.Kernel.ShouldBeNull();
        spec.QmpSocketPath.ShouldBe("/run/kp/sandboxes/sb1/qmp.sock");
        spec.Devices.Select(d => d.ToDeviceArgument()).ShouldBe(plan.DeviceArguments);
        spec.Devices.ShouldContain(d => d.ToDeviceArgument().StartsWith("vfio-pci,host=0000:3b:02.0,", StringComparison.Ordinal));
    }

    [Fact]
    public void LaunchSpec_WithTheAgentOverVsock_BootsTheKernel_WithAVhostVsockDeviceAndMaxcpusFromTheConfig()
    {
        var config = ConfigurationLoader.Load("""
            [hypervisor.qemu]
            kernel = "/boot/vmlinux"
            initrd = "/boot/initrd"
            kernel_params = "quiet"
            default_vcpus = 1
            default_maxvcpus = 4
            cold_plug_vfio = "root-port"
            pcie_root_port = 2
            """u8, "test.toml");
        var plan = PlanWithOneVf(config);

        var spec = QemuLaunchMapping.ToLaunchSpec(config, plan, SandboxStateDirectory.For("/run/kp", "sb1"), guestCid: 77);

        spec.Kernel.ShouldBe("/boot/vmlinux");
        spec.Initrd.ShouldBe("/boot/initrd");
        spec.KernelAppend.ShouldBe("quiet");
        spec.Smp.ShouldBe(SmpTopology.Flat(1, 4));
        spec.Devices.Select(d => d.ToDeviceArgument()).ShouldContain("vhost-vsock-pci,id=vsock0,guest-cid=77");
        // shared_fs = "virtio-fs" (the default): virtiofsd's socket in the sandbox state, tag kataShared.
        spec.Devices.Last().ToDeviceArgument().ShouldBe("vhost-user-fs-pci,chardev=char-kataShared,tag=kataShared,queue-size=1024");
        spec.ExtraArguments.ShouldContain("socket,id=char-kataShared,path=/run/kp/sandboxes/sb1/vfs.sock");
        spec.SharedMemory.ShouldBeTrue();
        QemuLaunchMapping.GuestCidFor("sb1").ShouldBe(QemuLaunchMapping.GuestCidFor("sb1"));
        QemuLaunchMapping.GuestCidFor("sb1").ShouldBeGreaterThanOrEqualTo(3u);
        // The kernel does not exist here: refused before any side effect, naming both ways out.
        var problem = QemuLaunchMapping.GuestBootProblem(config).ShouldNotBeNull();
        problem.ShouldContain("kernel = \"/boot/vmlinux\"");
        problem.ShouldContain("[agent.kata] address");
    }

    [Fact]
    public void HotplugTopology_KnowsEveryPlannedRootPortAndBridge()
    {
        var config = ConfigurationLoader.Load("""
            [hypervisor.qemu]
            machine_type = "q35"
            cold_plug_vfio = "root-port"
            pcie_root_port = 3
            default_bridges = 1
            """u8, "test.toml");
        var plan = PlanWithOneVf(config);

        var topology = HotplugTopology.From(plan.Topology);

        topology.RootPorts.Select(r => r.Id).ShouldBe(["rp0", "rp1", "rp2"]);
        topology.RootPorts.Select(r => (r.Chassis, r.Slot)).ShouldBe([(0, 0), (0, 1), (0, 2)]);
        topology.Bridges.ShouldHaveSingleItem().Id.ShouldBe("pci-bridge-0");
    }

    private static TopologyPlan PlanWithOneVf(KataplugConfiguration config)
    {
        var request = DeviceRequest.Vfio("physical-vf", "net1", PlugMode.Auto, new PciFunction("0000:3b:02.0", 0x8086, 0x10ed, 0x020000, true, 40));
        var outcome = TopologyPlanner.Plan(Shim.Sandbox.Preflight.ConfigurationMapping.ToTopologySettings(config), [request], HostFactsSnapshot.ViableFor([request]));
        return outcome.Plan ?? throw new InvalidOperationException(string.Join("; ", outcome.Problems));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
