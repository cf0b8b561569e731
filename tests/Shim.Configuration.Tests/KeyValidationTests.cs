namespace Shim.Configuration.Tests;

/// <summary>Per key: accepted values, wrong types, out-of-range and unknown values, each reported with
/// file:line:column of the value, the key, the value and what is allowed.</summary>
public class KeyValidationTests
{
    public static TheoryData<string, string, string, Func<KataplugConfiguration, object>, object> Accepted => new()
    {
        { "hypervisor.qemu", "path", "\"/opt/qemu/bin/qemu-system-x86_64\"", c => c.Hypervisor.Path.Value, "/opt/qemu/bin/qemu-system-x86_64" },
        { "hypervisor.qemu", "machine_type", "\"virt\"", c => c.Hypervisor.MachineType.Value, "virt" },
        { "hypervisor.qemu", "accelerator", "\"kvm\"", c => c.Hypervisor.Accelerator.Value, QemuAccelerator.Kvm },
        { "hypervisor.qemu", "default_vcpus", "4", c => c.Hypervisor.DefaultVcpus.Value, 4 },
        { "hypervisor.qemu", "default_maxvcpus", "288", c => c.Hypervisor.DefaultMaxVcpus.Value, 288 },
        { "hypervisor.qemu", "default_memory", "4096", c => c.Hypervisor.DefaultMemoryMiB.Value, 4096 },
        { "hypervisor.qemu", "memory_slots", "0", c => c.Hypervisor.MemorySlots.Value, 0 },
        { "hypervisor.qemu", "default_bridges", "5", c => c.Hypervisor.DefaultBridges.Value, 5 },
        { "hypervisor.qemu", "enable_iommu", "true", c => c.Hypervisor.EnableIommu.Value, true },
        { "hypervisor.qemu", "enable_iommu_platform", "true", c => c.Hypervisor.EnableIommuPlatform.Value, true },
        { "hypervisor.qemu", "cold_plug_vfio", "\"root-port\"", c => c.Hypervisor.ColdPlugVfio.Value, PciePortType.RootPort },
        { "hypervisor.qemu", "cold_plug_vfio", "\"switch-port\"", c => c.Hypervisor.ColdPlugVfio.Value, PciePortType.SwitchPort },
        { "hypervisor.qemu", "cold_plug_vfio", "\"bridge-port\"", c => c.Hypervisor.ColdPlugVfio.Value, PciePortType.BridgePort },
        { "hypervisor.qemu", "hot_plug_vfio", "\"root-port\"", c => c.Hypervisor.HotPlugVfio.Value, PciePortType.RootPort },
        { "hypervisor.qemu", "pcie_root_port", "16", c => c.Hypervisor.PcieRootPort.Value, 16 },
        { "hypervisor.qemu", "pcie_switch_port", "0", c => c.Hypervisor.PcieSwitchPort.Value, 0 },
        { "hypervisor.qemu", "shared_fs", "\"virtio-9p\"", c => c.Hypervisor.SharedFs.Value, "virtio-9p" },
        { "hypervisor.qemu", "file_mem_backend", "\"/dev/shm\"", c => c.Hypervisor.FileMemBackend.Value, "/dev/shm" },
        { "hypervisor.qemu", "enable_hugepages", "true", c => c.Hypervisor.EnableHugepages.Value, true },
        { "hypervisor.qemu", "enable_mem_prealloc", "true", c => c.Hypervisor.MemoryPrealloc.Value, true },
        { "hypervisor.qemu", "kernel_params", "\"console=ttyS0\"", c => c.Hypervisor.KernelParams.Value, "console=ttyS0" },
        { "hypervisor.qemu", "enable_annotations", "[\"pcie_.*\", \"cold_plug_vfio\"]", c => string.Join(",", c.Hypervisor.EnableAnnotations.Value), "pcie_.*,cold_plug_vfio" },
        { "runtime", "vfio_mode", "\"vfio\"", c => c.Runtime.VfioMode.Value, VfioMode.Vfio },
        { "runtime", "enable_debug", "true", c => c.Runtime.EnableDebug.Value, true },
        { "runtime", "pod_resource_api_sock", "\"/var/lib/kubelet/pod-resources/kubelet.sock\"", c => c.Runtime.PodResourceApiSock.Value, "/var/lib/kubelet/pod-resources/kubelet.sock" },
        { "agent.kata", "dial_timeout", "90", c => c.Agent.DialTimeoutSeconds.Value, 90 },
        { "agent.kata", "kernel_modules", "[\"e1000e InterruptThrottleRate=3000\"]", c => c.Agent.KernelModules.Value[0], "e1000e InterruptThrottleRate=3000" },
        { "host", "sysfs_root", "\"/tmp/fake-sysfs\"", c => c.Host.SysfsRoot.Value, "/tmp/fake-sysfs" },
        { "host", "state_dir", "\"/var/lib/kataplug\"", c => c.Host.StateDir.Value, "/var/lib/kataplug" },
        { "host", "allow_host_devices", "true", c => c.Host.AllowHostDevices.Value, true },
        { "plugins", "directory", "\"/usr/lib/kataplug/plugins\"", c => c.Plugins.Directory.Value, "/usr/lib/kataplug/plugins" },
        { "plugins", "enabled", "[\"vfio\", \"physical-vf\"]", c => string.Join(",", c.Plugins.Enabled.Value), "vfio,physical-vf" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_values_are_read_with_their_file_position(string section, string key, string literal, Func<KataplugConfiguration, object> read, object expected)
    {
        var c = TestConfig.Load($"[{section}]\n{key} = {literal}\n");
        read(c).ShouldBe(expected);
    }

    [Fact]
    public void A_value_knows_the_line_and_column_it_was_written_at()
    {
        var c = TestConfig.Load("# comment\n[hypervisor.qemu]\nmachine_type = \"q35\"\n  pcie_root_port =   8\n");
        c.Hypervisor.PcieRootPort.Origin.ShouldBe(ValueOrigin.InFile("test.toml", new Toml.TomlPosition(4, 22)));
        c.Hypervisor.PcieRootPort.Origin.ToString().ShouldBe("test.toml:4:22");
        c.Hypervisor.MachineType.Origin.ToString().ShouldBe("test.toml:3:16");
    }

    public static TheoryData<string, string, string, string> Refused => new()
    {
        // section, key, literal, message after "test.toml:2:<col>: [section] key = literal: "
        { "hypervisor.qemu", "pcie_root_port", "20", "must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them" },
        { "hypervisor.qemu", "pcie_root_port", "-1", "must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them" },
        { "hypervisor.qemu", "pcie_switch_port", "17", "must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them" },
        { "hypervisor.qemu", "pcie_root_port", "\"4\"", "must be an integer between 0 and 16, not a string" },
        { "hypervisor.qemu", "pcie_root_port", "4.0", "must be an integer between 0 and 16, not a float" },
        { "hypervisor.qemu", "default_bridges", "6", "must be between 0 and 5 (Kata's limit, 30 slots each); Kata clamps larger values silently, kataplug refuses them" },
        { "hypervisor.qemu", "default_vcpus", "-1", "must be between 0 and 288 (0 means 1; Kata's negative value \"all host CPUs\" is refused: give an explicit count)" },
        { "hypervisor.qemu", "default_maxvcpus", "1000", "must be between 0 and 288 (0 means the number of host CPUs)" },
        { "hypervisor.qemu", "memory_slots", "300", "must be between 0 and 256 (QEMU's DIMM slot limit)" },
        { "hypervisor.qemu", "default_memory", "true", "must be an integer between 0 and 1048576, not a boolean" },
        { "hypervisor.qemu", "cold_plug_vfio", "\"root_port\"", "must be one of \"no-port\", \"bridge-port\", \"root-port\", \"switch-port\"" },
        { "hypervisor.qemu", "hot_plug_vfio", "true", "must be a string (one of \"no-port\", \"bridge-port\", \"root-port\", \"switch-port\"), not a boolean" },
        { "hypervisor.qemu", "machine_type", "\"q34\"", "must be one of \"q35\", \"virt\", \"pc\", \"microvm\", \"pseries\", \"s390-ccw-virtio\"" },
        { "hypervisor.qemu", "accelerator", "\"hvf\"", "must be one of \"tcg\", \"kvm\"" },
        { "hypervisor.qemu", "shared_fs", "\"nfs\"", "must be one of \"virtio-fs\", \"virtio-fs-nydus\", \"virtio-9p\", \"none\"" },
        { "hypervisor.qemu", "enable_iommu", "\"yes\"", "must be true or false, not a string" },
        { "hypervisor.qemu", "path", "\"qemu-system-x86_64\"", "must be an absolute path (starting with '/')" },
        { "hypervisor.qemu", "path", "\"\"", "must be an absolute path, not empty" },
        { "hypervisor.qemu", "file_mem_backend", "\"shm\"", "must be an absolute path (starting with '/')" },
        { "hypervisor.qemu", "enable_annotations", "\"enable_iommu\"", "must be an array of strings, not a string" },
        { "hypervisor.qemu", "enable_annotations", "[\"ok\", 3]", "element 2 (2:29) must be a string, not an integer" },
        { "hypervisor.qemu", "enable_annotations", "[\"pcie_(\"]", "element 1 \"pcie_(\" (2:23) is not a valid regular expression" },
        { "runtime", "vfio_mode", "\"passthrough\"", "must be one of \"guest-kernel\", \"vfio\"" },
        { "runtime", "dan_conf", "\"dans\"", "must be an absolute path (starting with '/')" },
        { "agent.kata", "dial_timeout", "0", "must be between 1 and 3600 seconds" },
        { "agent.kata", "kernel_modules", "[\"\"]", "element 1 \"\" (2:19) must not be empty" },
        { "host", "sysfs_root", "\"sys\"", "must be an absolute path (starting with '/')" },
        { "host", "allow_host_devices", "1", "must be true or false, not an integer" },
        { "plugins", "enabled", "[\"Physical VF\"]", "element 1 \"Physical VF\" (2:12) is not a plugin name (lower-case letters, digits, '.', '_' and '-')" },
        { "plugins", "directory", "\"plugins\"", "must be an absolute path (starting with '/')" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refused_values_name_file_line_column_key_value_and_what_is_allowed(string section, string key, string literal, string message)
    {
        var problem = TestConfig.SingleProblem($"[{section}]\n{key} = {literal}\n");
        var column = key.Length + 4;
        problem.ShouldStartWith($"test.toml:2:{column}: [{section}] {key} = {literal}: {message}");
    }

    [Fact]
    public void The_issue_example_is_reproduced_exactly()
    {
        var toml = "[hypervisor.qemu]" + new string('\n', 41) + "pcie_root_port = 20\n";
        var e = Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(System.Text.Encoding.UTF8.GetBytes(toml), "configuration.toml"));
        e.Problems.Single().ToString().ShouldBe(
            "configuration.toml:42:18: [hypervisor.qemu] pcie_root_port = 20: must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them");
        e.Problems.Single().Section.ShouldBe("hypervisor.qemu");
        e.Problems.Single().Key.ShouldBe("pcie_root_port");
        e.Problems.Single().Value.ShouldBe("20");
    }

    [Fact]
    public void Invalid_toml_is_a_configuration_problem_with_its_position()
    {
        var problem = TestConfig.SingleProblem("[hypervisor.qemu]\npcie_root_port = \n");
        problem.ShouldStartWith("test.toml:2:");
        problem.ShouldContain("invalid TOML");
    }

    [Theory]
    [InlineData("host", "sysfs-root")]
    [InlineData("plugins", "directroy")]
    public void Unknown_keys_in_kataplug_tables_are_errors(string section, string key)
    {
        var problem = TestConfig.SingleProblem($"[{section}]\n{key} = \"/x\"\n");
        problem.ShouldStartWith($"test.toml:2:1: [{section}] {key} = \"/x\": unknown key in kataplug's [{section}] table; known keys: ");
    }

    [Fact]
    public void A_known_section_that_is_not_a_table_is_refused()
    {
        TestConfig.SingleProblem("runtime = 5\n").ShouldBe("test.toml:1:1: runtime = 5: must be a table ([runtime])");
    }
}
