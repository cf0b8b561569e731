using System.Collections.Immutable;

namespace Shim.Configuration.Tests;

public class DefaultsTests
{
    private static readonly KataplugConfiguration Empty = TestConfig.Load("");

    public static TheoryData<string, Func<KataplugConfiguration, object>, object> Defaults => new()
    {
        { "path", c => c.Hypervisor.Path.Value, "/usr/bin/qemu-system-x86_64" },
        { "kernel", c => c.Hypervisor.Kernel.Value, "/usr/share/kata-containers/vmlinux.container" },
        { "image", c => c.Hypervisor.Image.Value, "/usr/share/kata-containers/kata-containers.img" },
        { "initrd", c => c.Hypervisor.Initrd.Value, "" },
        { "kernel_params", c => c.Hypervisor.KernelParams.Value, "" },
        { "machine_type", c => c.Hypervisor.MachineType.Value, "q35" },
        { "accelerator", c => c.Hypervisor.Accelerator.Value, QemuAccelerator.Tcg },
        { "default_vcpus", c => c.Hypervisor.DefaultVcpus.Value, 1 },
        { "default_maxvcpus", c => c.Hypervisor.DefaultMaxVcpus.Value, 0 },
        { "default_memory", c => c.Hypervisor.DefaultMemoryMiB.Value, 2048 },
        { "memory_slots", c => c.Hypervisor.MemorySlots.Value, 10 },
        { "default_bridges", c => c.Hypervisor.DefaultBridges.Value, 1 },
        { "enable_iommu", c => c.Hypervisor.EnableIommu.Value, false },
        { "enable_iommu_platform", c => c.Hypervisor.EnableIommuPlatform.Value, false },
        { "cold_plug_vfio", c => c.Hypervisor.ColdPlugVfio.Value, PciePortType.NoPort },
        { "hot_plug_vfio", c => c.Hypervisor.HotPlugVfio.Value, PciePortType.NoPort },
        { "pcie_root_port", c => c.Hypervisor.PcieRootPort.Value, 0 },
        { "pcie_switch_port", c => c.Hypervisor.PcieSwitchPort.Value, 0 },
        { "shared_fs", c => c.Hypervisor.SharedFs.Value, "virtio-fs" },
        { "file_mem_backend", c => c.Hypervisor.FileMemBackend.Value, "" },
        { "enable_hugepages", c => c.Hypervisor.EnableHugepages.Value, false },
        { "enable_mem_prealloc", c => c.Hypervisor.MemoryPrealloc.Value, false },
        { "enable_vhost_user_store", c => c.Hypervisor.EnableVhostUserStore.Value, false },
        { "vhost_user_store_path", c => c.Hypervisor.VhostUserStorePath.Value, "/var/run/kata-containers/vhost-user" },
        { "enable_annotations", c => string.Join(",", c.Hypervisor.EnableAnnotations.Value), "enable_iommu,kernel_params,kernel_verity_params" },
        { "vfio_mode", c => c.Runtime.VfioMode.Value, VfioMode.GuestKernel },
        { "runtime.enable_debug", c => c.Runtime.EnableDebug.Value, false },
        { "dan_conf", c => c.Runtime.DanConf.Value, "/run/kata-containers/dans" },
        { "pod_resource_api_sock", c => c.Runtime.PodResourceApiSock.Value, "" },
        { "dial_timeout", c => c.Agent.DialTimeoutSeconds.Value, 45 },
        { "agent.enable_debug", c => c.Agent.EnableDebug.Value, false },
        { "debug_console_enabled", c => c.Agent.DebugConsoleEnabled.Value, false },
        { "kernel_modules", c => c.Agent.KernelModules.Value.Length, 0 },
        { "plugins.enabled", c => c.Plugins.Enabled.Value.Length, 0 },
        { "plugins.directory", c => c.Plugins.Directory.Value, "/opt/kataplug/plugins" },
        { "sysfs_root", c => c.Host.SysfsRoot.Value, "/" },
        { "state_dir", c => c.Host.StateDir.Value, "/run/kataplug" },
        { "allow_host_devices", c => c.Host.AllowHostDevices.Value, false },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void An_empty_file_gives_Kata_defaults(string key, Func<KataplugConfiguration, object> read, object expected)
    {
        read(Empty).ShouldBe(expected, $"default of {key}");
    }

    [Fact]
    public void Defaults_have_default_origin_and_print_as_default()
    {
        Empty.Hypervisor.PcieRootPort.Origin.Kind.ShouldBe(OriginKind.Default);
        Empty.Hypervisor.PcieRootPort.Origin.ToString().ShouldBe("default");
        Empty.Plugins.Rules.ShouldBeEmpty();
        Empty.Plugins.Settings.ShouldBeEmpty();
        Empty.IgnoredKeys.ShouldBeEmpty();
        Empty.SourceName.ShouldBe(TestConfig.Source);
    }

    [Fact]
    public void Image_default_is_dropped_when_an_initrd_is_given()
    {
        var c = TestConfig.Load("[hypervisor.qemu]\ninitrd = \"/boot/initrd.img\"\n");
        c.Hypervisor.Image.Value.ShouldBe("");
        c.Hypervisor.Initrd.Value.ShouldBe("/boot/initrd.img");
    }

    [Theory]
    [InlineData("default_vcpus = 0", 1)]
    [InlineData("default_memory = 0", 2048)]
    public void Zero_means_the_Kata_default_and_the_origin_says_so(string line, int expected)
    {
        var q = TestConfig.Load($"[hypervisor.qemu]\n{line}\n").Hypervisor;
        var setting = line.StartsWith("default_vcpus", StringComparison.Ordinal) ? q.DefaultVcpus : q.DefaultMemoryMiB;
        setting.Value.ShouldBe(expected);
        setting.Origin.ToString().ShouldBe($"test.toml:2:{line.IndexOf('0') + 1} (0 means the default, {expected})");
    }

    [Fact]
    public void Enable_annotations_default_does_not_allow_PCIe_annotations()
    {
        var allow = AnnotationAllowList.Create(ImmutableArray.CreateRange(Empty.Hypervisor.EnableAnnotations.Value));
        allow.IsAllowed("enable_iommu").ShouldBeTrue();
        allow.IsAllowed("pcie_root_port").ShouldBeFalse();
        allow.IsAllowed("cold_plug_vfio").ShouldBeFalse();
    }
}
