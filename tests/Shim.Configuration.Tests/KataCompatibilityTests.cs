namespace Shim.Configuration.Tests;

public class KataCompatibilityTests
{
    private static readonly string KataFile = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kata-configuration-qemu.toml"));

    [Fact]
    public void A_real_Kata_qemu_configuration_loads_as_it_is()
    {
        var c = TestConfig.Load(KataFile);
        c.Hypervisor.Path.Value.ShouldBe("/opt/kata/bin/qemu-system-x86_64");
        c.Hypervisor.ColdPlugVfio.Value.ShouldBe(PciePortType.RootPort);
        c.Hypervisor.PcieRootPort.Value.ShouldBe(8);
        c.Hypervisor.Accelerator.Value.ShouldBe(QemuAccelerator.Tcg); // kataplug extension, absent from Kata files
        c.Runtime.PodResourceApiSock.Value.ShouldBe("/var/lib/kubelet/pod-resources/kubelet.sock");
        c.Agent.DialTimeoutSeconds.Value.ShouldBe(45);
        c.Hypervisor.VirtioFsDaemon.Value.ShouldBe("/opt/kata/libexec/virtiofsd");
        c.Hypervisor.VirtioFsDaemon.Origin.ToString().ShouldBe("test.toml:38:20");
    }

    [Fact]
    public void Keys_kataplug_does_not_use_are_collected_with_their_position()
    {
        var ignored = TestConfig.Load(KataFile).IgnoredKeys;
        ignored.ShouldContain(k => k.Section == "hypervisor.qemu" && k.Key == "valid_virtio_fs_daemon_paths" && k.Origin.ToString() == "test.toml:39:1");
        ignored.ShouldNotContain(k => k.Key == "virtio_fs_daemon"); // kataplug starts it now
        ignored.ShouldContain(k => k.Section == "hypervisor.qemu" && k.Key == "hotplug_vfio_on_root_bus");
        ignored.ShouldContain(k => k.Section == "hypervisor.qemu" && k.Key == "factory_options_nobody_uses");
        ignored.ShouldContain(k => k.Section == "" && k.Key == "factory");
        ignored.ShouldContain(k => k.Section == "" && k.Key == "image");
        ignored.ShouldContain(k => k.Section == "runtime" && k.Key == "internetworking_model");
        ignored.ShouldContain(k => k.Section == "agent.kata" && k.Key == "enable_tracing");
        ignored.ShouldNotContain(k => k.Key == "pcie_root_port" || k.Key == "vfio_mode" || k.Key == "dial_timeout");
        ignored.First(k => k.Key == "valid_virtio_fs_daemon_paths").ToString().ShouldBe("[hypervisor.qemu] valid_virtio_fs_daemon_paths (test.toml:39:1): not used by kataplug");
    }

    [Fact]
    public void Other_hypervisors_and_agents_are_ignored_next_to_qemu()
    {
        var c = TestConfig.Load("[hypervisor.qemu]\n[hypervisor.clh]\npath = \"/x\"\n[agent.other]\n");
        c.IgnoredKeys.ShouldContain(k => k.Section == "hypervisor" && k.Key == "clh" && k.Reason == "kataplug drives QEMU only");
        c.IgnoredKeys.ShouldContain(k => k.Section == "agent" && k.Key == "other");
    }

    [Fact]
    public void A_file_for_another_hypervisor_only_is_refused()
    {
        TestConfig.SingleProblem("[hypervisor.clh]\npath = \"/usr/bin/cloud-hypervisor\"\n")
            .ShouldBe("test.toml:1:2: [hypervisor]: no [hypervisor.qemu] table (found hypervisor.clh); kataplug drives QEMU only: use a Kata QEMU configuration");
    }

    [Fact]
    public void A_Kata_file_with_hot_plug_and_cold_plug_both_set_is_refused_naming_both()
    {
        var toml = KataFile.Replace("hot_plug_vfio = \"no-port\"", "hot_plug_vfio = \"root-port\"", StringComparison.Ordinal);
        TestConfig.SingleProblem(toml).ShouldBe(
            "test.toml:63:17: [hypervisor.qemu] hot_plug_vfio = \"root-port\": cold_plug_vfio = \"root-port\" (test.toml:64:18) is also set; only one of them can be enabled: set the other to \"no-port\"");
    }
}
