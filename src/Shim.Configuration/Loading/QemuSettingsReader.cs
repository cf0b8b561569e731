using System.Collections.Immutable;

namespace Shim.Configuration.Loading;

/// <summary>[hypervisor.qemu] with Kata's defaults (Go runtime, amd64) and kataplug's stricter ranges.</summary>
internal static class QemuSettingsReader
{
    public const string Section = "hypervisor.qemu";
    public const string DefaultPath = "/usr/bin/qemu-system-x86_64";
    public const string DefaultKernel = "/usr/share/kata-containers/vmlinux.container";
    public const string DefaultImage = "/usr/share/kata-containers/kata-containers.img";
    public const int MaxVcpus = 288; // QEMU 7.2 q35 max_cpus
    public const int MaxPciePorts = 16; // Kata's limit for pcie_root_port / pcie_switch_port

    public static ImmutableArray<string> DefaultEnableAnnotations { get; } = ["enable_iommu", "kernel_params", "kernel_verity_params"];
    public static ImmutableArray<string> MachineTypes { get; } = ["q35", "virt", "pc", "microvm", "pseries", "s390-ccw-virtio"];
    public static ImmutableArray<string> SharedFsValues { get; } = ["virtio-fs", "virtio-fs-nydus", "virtio-9p", "none"];

    /// <summary>Read first: it decides which annotations may override the rest. Not overridable itself.</summary>
    public static Setting<ImmutableArray<string>> ReadEnableAnnotations(SectionReader r) =>
        r.Read("enable_annotations", DefaultEnableAnnotations, ValueParsers.StringList(AnnotationAllowList.ValidatePattern), allowOverride: false);

    public static QemuSettings Read(SectionReader r, Setting<ImmutableArray<string>> enableAnnotations)
    {
        const string portLimit = " (the q35 limit); Kata clamps larger values silently, kataplug refuses them";
        var path = r.Read("path", DefaultPath, ValueParsers.AbsolutePath(allowEmpty: false), allowOverride: false);
        var kernel = r.Read("kernel", DefaultKernel, ValueParsers.AbsolutePath(allowEmpty: false), allowOverride: false);
        var image = r.Read("image", "", ValueParsers.AbsolutePath(allowEmpty: true), allowOverride: false);
        var initrd = r.Read("initrd", "", ValueParsers.AbsolutePath(allowEmpty: true), allowOverride: false);
        if (image.Value.Length == 0 && initrd.Value.Length == 0)
            image = new Setting<string>(DefaultImage, ValueOrigin.Default); // Kata boots the image unless an initrd is given

        return new QemuSettings(
            Path: path,
            Kernel: kernel,
            Image: image,
            Initrd: initrd,
            KernelParams: ReadKernelParams(r),
            MachineType: r.Read("machine_type", "q35", ValueParsers.OneOf([.. MachineTypes])),
            Accelerator: r.Read("accelerator", QemuAccelerator.Tcg, ValueParsers.Enum(ConfigurationNames.Accelerators), allowOverride: false),
            DefaultVcpus: r.Read("default_vcpus", 1, ZeroMeans(1, ValueParsers.Integer(0, MaxVcpus,
                " (0 means 1; Kata's negative value \"all host CPUs\" is refused: give an explicit count)"))),
            DefaultMaxVcpus: r.Read("default_maxvcpus", 0, ValueParsers.Integer(0, MaxVcpus, " (0 means the number of host CPUs)")),
            DefaultMemoryMiB: r.Read("default_memory", 2048, ZeroMeans(2048, ValueParsers.Integer(0, 1 << 20, " MiB (0 means 2048)"))),
            MemorySlots: r.Read("memory_slots", 10, ValueParsers.Integer(0, 256, " (QEMU's DIMM slot limit)")),
            DefaultBridges: r.Read("default_bridges", 1, ValueParsers.Integer(0, 5,
                " (Kata's limit, 30 slots each); Kata clamps larger values silently, kataplug refuses them")),
            EnableIommu: r.Read("enable_iommu", false, ValueParsers.Boolean),
            EnableIommuPlatform: r.Read("enable_iommu_platform", false, ValueParsers.Boolean),
            ColdPlugVfio: r.Read("cold_plug_vfio", PciePortType.NoPort, ValueParsers.Enum(ConfigurationNames.PortTypes)),
            HotPlugVfio: r.Read("hot_plug_vfio", PciePortType.NoPort, ValueParsers.Enum(ConfigurationNames.PortTypes)),
            PcieRootPort: r.Read("pcie_root_port", 0, ValueParsers.Integer(0, MaxPciePorts, portLimit)),
            PcieSwitchPort: r.Read("pcie_switch_port", 0, ValueParsers.Integer(0, MaxPciePorts, portLimit)),
            SharedFs: r.Read("shared_fs", "virtio-fs", ValueParsers.OneOf([.. SharedFsValues])),
            // Kata's annotation gate lists virtio_fs_daemon as a path that must never come from a pod: file only.
            VirtioFsDaemon: r.Read("virtio_fs_daemon", "/usr/libexec/virtiofsd", ValueParsers.AbsolutePath(allowEmpty: false), allowOverride: false),
            VirtioFsCache: r.Read("virtio_fs_cache", "auto", ValueParsers.OneOf("auto", "always", "never", "none", "metadata")),
            FileMemBackend: r.Read("file_mem_backend", "", ValueParsers.AbsolutePath(allowEmpty: true), allowOverride: false),
            EnableHugepages: r.Read("enable_hugepages", false, ValueParsers.Boolean),
            MemoryPrealloc: r.Read("enable_mem_prealloc", false, ValueParsers.Boolean),
            EnableVhostUserStore: r.Read("enable_vhost_user_store", false, ValueParsers.Boolean, allowOverride: false),
            VhostUserStorePath: r.Read("vhost_user_store_path", "/var/run/kata-containers/vhost-user", ValueParsers.AbsolutePath(allowEmpty: false), allowOverride: false),
            EnableAnnotations: enableAnnotations);
    }

    /// <summary>Kata appends the kernel_params annotation to the file's kernel_params.</summary>
    private static Setting<string> ReadKernelParams(SectionReader r)
    {
        var fromFile = r.Read("kernel_params", "", ValueParsers.Text(), allowOverride: false);
        if (!r.TryGetOverride("kernel_params", out var ov) || ov.Text.Trim().Length == 0) return fromFile;
        var combined = fromFile.Value.Length == 0 ? ov.Text.Trim() : $"{fromFile.Value} {ov.Text.Trim()}";
        var note = fromFile.Value.Length == 0 ? null : $"appended to {fromFile.Origin}";
        return new Setting<string>(combined, ValueOrigin.FromAnnotation(ov.AnnotationKey, note));
    }

    private static Func<RawInput, Parsed<int>> ZeroMeans(int value, Func<RawInput, Parsed<int>> inner) => input =>
    {
        var r = inner(input);
        return r.Ok && r.Value == 0 ? Parsed<int>.Success(value, $"0 means the default, {value}") : r;
    };

    /// <summary>Kata: setting one plug mode by annotation turns the other off. Kept for compatibility, but
    /// visible: the other value's origin names the annotation that reset it.</summary>
    public static QemuSettings ApplyPlugModeExclusion(QemuSettings q)
    {
        static bool ByAnnotation<T>(Setting<T> s) => s.Origin.Kind == OriginKind.Annotation;
        if (ByAnnotation(q.ColdPlugVfio) && !ByAnnotation(q.HotPlugVfio)
            && q.ColdPlugVfio.Value != PciePortType.NoPort && q.HotPlugVfio.Value != PciePortType.NoPort)
            return q with { HotPlugVfio = new(PciePortType.NoPort, ValueOrigin.FromAnnotation(q.ColdPlugVfio.Origin.Source, "reset to no-port because cold plug was set by annotation")) };
        if (ByAnnotation(q.HotPlugVfio) && !ByAnnotation(q.ColdPlugVfio)
            && q.ColdPlugVfio.Value != PciePortType.NoPort && q.HotPlugVfio.Value != PciePortType.NoPort)
            return q with { ColdPlugVfio = new(PciePortType.NoPort, ValueOrigin.FromAnnotation(q.HotPlugVfio.Origin.Source, "reset to no-port because hot plug was set by annotation")) };
        return q;
    }
}
