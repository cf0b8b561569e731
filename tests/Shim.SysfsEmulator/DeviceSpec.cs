namespace Shim.SysfsEmulator;

/// <summary>One PCI function of an emulated host. Parents (<see cref="Behind"/>) must be added before children.</summary>
public sealed record DeviceSpec(string Bdf)
{
    public ushort Vendor { get; init; } = 0x8086;
    public ushort Device { get; init; } = 0x1234;
    public uint Class { get; init; } = 0x020000;
    public string? Driver { get; init; }
    public bool Pcie { get; init; } = true;
    /// <summary>Explicit group number; null = a new group (the lowest free number).</summary>
    public int? Group { get; init; }
    /// <summary>Put the function in the same group as this BDF (multi-device groups).</summary>
    public string? SameGroupAs { get; init; }
    /// <summary>BDF of the bridge the function sits behind (adds one directory level, §1.6).</summary>
    public string? Behind { get; init; }
    public IReadOnlyList<string> NetInterfaces { get; init; } = [];
    public bool InterfacesUp { get; init; }
    public int SriovTotalVfs { get; init; }
    public int SriovNumVfs { get; init; }
    public string? VfDriver { get; init; }
    public ushort VfDevice { get; init; }
    public string? VfInterfacePrefix { get; init; }
    public int VfOffset { get; init; } = 0x80;
    public int VfStride { get; init; } = 1;
    public bool VfioDenied { get; init; }
    /// <summary>A disk behind this controller (e.g. nvme0n1) with one partition (nvme0n1p1).</summary>
    public string? Disk { get; init; }
    /// <summary>Mount point of the disk's first partition (written to proc/self/mounts).</summary>
    public string? MountedOn { get; init; }
}
