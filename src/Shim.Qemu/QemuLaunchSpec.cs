namespace Shim.Qemu;

/// <summary>Everything needed to start one q35 VM. Validated as a whole by <see cref="QemuCommandLine.Build"/>.</summary>
public sealed record QemuLaunchSpec
{
    public string Binary { get; init; } = "qemu-system-x86_64";

    /// <summary><c>tcg</c> (default) or <c>kvm</c>. Never chosen from the mere presence of /dev/kvm.</summary>
    public string Accelerator { get; init; } = "tcg";

    /// <summary><c>-cpu</c>; null leaves QEMU's default (qemu64).</summary>
    public string? CpuModel { get; init; }

    public int MemoryMiB { get; init; } = 256;

    public SmpTopology Smp { get; init; } = SmpTopology.Flat(1, 1);

    /// <summary>Back guest RAM with <c>memory-backend-memfd,share=on</c> (required by vhost-user).</summary>
    public bool SharedMemory { get; init; }

    public required string QmpSocketPath { get; init; }

    /// <summary><c>-S</c>: do not start the vCPUs until <c>cont</c>.</summary>
    public bool StartPaused { get; init; }

    public PciHotplugMode HotplugMode { get; init; } = PciHotplugMode.Acpi;

    public QemuTopology Topology { get; init; } = QemuTopology.Empty;

    public IReadOnlyList<ColdPlugDevice> Devices { get; init; } = [];

    public string? Kernel { get; init; }

    public string? Initrd { get; init; }

    public string? KernelAppend { get; init; }

    /// <summary>Serial console on a unix socket (server, no wait); null for none.</summary>
    public string? SerialSocketPath { get; init; }

    /// <summary>Appended verbatim, last (e.g. <c>-netdev user,id=n0</c>, <c>-no-reboot</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
