namespace Shim.Configuration;

/// <summary>Kata's annotation names that kataplug honours, and the TOML keys they override.</summary>
public static class KataAnnotations
{
    public const string Prefix = "io.katacontainers.";
    public const string HypervisorPrefix = "io.katacontainers.config.hypervisor.";
    public const string RuntimePrefix = "io.katacontainers.config.runtime.";

    /// <summary>Lets a pod choose the configuration file; honoured only if enable_annotations lists "config_path" literally.</summary>
    public const string ConfigPath = "io.katacontainers.config_path";

    /// <summary>The enable_annotations entry that allows <see cref="ConfigPath"/> (exact entry; a wildcard does not count).</summary>
    public const string ConfigPathAllowEntry = "config_path";

    /// <summary>Annotation suffix (after <see cref="HypervisorPrefix"/>) → key in [hypervisor.qemu]. Kata spells
    /// the max-vCPU annotation default_max_vcpus and the TOML key default_maxvcpus; both are kept.</summary>
    public static IReadOnlyDictionary<string, string> HypervisorKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cold_plug_vfio"] = "cold_plug_vfio",
        ["hot_plug_vfio"] = "hot_plug_vfio",
        ["pcie_root_port"] = "pcie_root_port",
        ["pcie_switch_port"] = "pcie_switch_port",
        ["default_vcpus"] = "default_vcpus",
        ["default_max_vcpus"] = "default_maxvcpus",
        ["default_memory"] = "default_memory",
        ["memory_slots"] = "memory_slots",
        ["default_bridges"] = "default_bridges",
        ["enable_iommu"] = "enable_iommu",
        ["enable_iommu_platform"] = "enable_iommu_platform",
        ["kernel_params"] = "kernel_params",
        ["machine_type"] = "machine_type",
        ["shared_fs"] = "shared_fs",
        ["enable_hugepages"] = "enable_hugepages",
        ["enable_mem_prealloc"] = "enable_mem_prealloc",
    };

    /// <summary>Annotation suffix (after <see cref="RuntimePrefix"/>) → key in [runtime].</summary>
    public static IReadOnlyDictionary<string, string> RuntimeKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["vfio_mode"] = "vfio_mode",
    };
}
