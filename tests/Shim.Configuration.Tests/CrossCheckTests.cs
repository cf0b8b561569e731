namespace Shim.Configuration.Tests;

public class CrossCheckTests
{
    public static TheoryData<string, string> Refused => new()
    {
        {
            "[hypervisor.qemu]\ncold_plug_vfio = \"root-port\"\nhot_plug_vfio = \"root-port\"\n",
            "test.toml:3:17: [hypervisor.qemu] hot_plug_vfio = \"root-port\": cold_plug_vfio = \"root-port\" (test.toml:2:18) is also set; only one of them can be enabled: set the other to \"no-port\""
        },
        {
            "[hypervisor.qemu]\nmachine_type = \"pc\"\ncold_plug_vfio = \"root-port\"\n",
            "test.toml:3:18: [hypervisor.qemu] cold_plug_vfio = \"root-port\": needs a PCIe machine type (\"q35\" or \"virt\"), but machine_type = \"pc\" (test.toml:2:16)"
        },
        {
            "[hypervisor.qemu]\nmachine_type = \"microvm\"\nhot_plug_vfio = \"switch-port\"\n",
            "test.toml:3:17: [hypervisor.qemu] hot_plug_vfio = \"switch-port\": needs a PCIe machine type (\"q35\" or \"virt\"), but machine_type = \"microvm\" (test.toml:2:16)"
        },
        {
            "[hypervisor.qemu]\ndefault_bridges = 0\ncold_plug_vfio = \"bridge-port\"\n",
            "test.toml:3:18: [hypervisor.qemu] cold_plug_vfio = \"bridge-port\": needs at least one PCI bridge, but default_bridges = 0 (test.toml:2:19): set default_bridges = 1"
        },
        {
            "[hypervisor.qemu]\nmachine_type = \"virt\"\nenable_iommu = true\n",
            "test.toml:3:16: [hypervisor.qemu] enable_iommu = true: the virtual IOMMU (intel-iommu) exists only on q35, but machine_type = \"virt\" (test.toml:2:16)"
        },
        {
            "[hypervisor.qemu]\nimage = \"/a.img\"\ninitrd = \"/b.img\"\n",
            "test.toml:3:10: [hypervisor.qemu] initrd = \"/b.img\": image = \"/a.img\" (test.toml:2:9) is also set; set either image or initrd, not both"
        },
        {
            "[hypervisor.qemu]\ndefault_vcpus = 4\ndefault_maxvcpus = 2\n",
            "test.toml:3:20: [hypervisor.qemu] default_maxvcpus = 2: is lower than default_vcpus = 4 (test.toml:2:17); raise it or set 0 (= host CPUs)"
        },
        {
            "[hypervisor.qemu]\nshared_fs = \"virtio-9p\"\n[plugins]\nenabled = [\"vhost-user\"]\n",
            "test.toml:4:11: [plugins] enabled = [\"vhost-user\"]: the vhost-user plugin needs guest RAM in a shared memory backend, but shared_fs = \"virtio-9p\" (test.toml:2:13), file_mem_backend is empty and enable_hugepages = false: set shared_fs = \"virtio-fs\" or file_mem_backend = \"/dev/shm\""
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Combinations_are_checked_on_the_whole_configuration(string toml, string expected)
    {
        TestConfig.SingleProblem(toml).ShouldBe(expected);
    }

    [Theory]
    [InlineData("shared_fs = \"virtio-9p\"\nfile_mem_backend = \"/dev/shm\"")]
    [InlineData("shared_fs = \"none\"\nenable_hugepages = true")]
    [InlineData("shared_fs = \"virtio-fs\"")]
    public void Vhost_user_is_accepted_with_any_shared_memory_backend(string qemuLines)
    {
        var c = TestConfig.Load($"[hypervisor.qemu]\n{qemuLines}\n[plugins]\nenabled = [\"vhost-user\"]\n");
        c.Hypervisor.HasSharedMemoryBackend.ShouldBeTrue();
    }

    [Fact]
    public void Bridge_port_is_accepted_on_a_PCI_machine_and_root_ports_on_virt()
    {
        TestConfig.Load("[hypervisor.qemu]\nmachine_type = \"pc\"\ncold_plug_vfio = \"bridge-port\"\n").Hypervisor.ActivePortType.ShouldBe(PciePortType.BridgePort);
        TestConfig.Load("[hypervisor.qemu]\nmachine_type = \"virt\"\nhot_plug_vfio = \"root-port\"\n").Hypervisor.ActivePortType.ShouldBe(PciePortType.RootPort);
    }
}
