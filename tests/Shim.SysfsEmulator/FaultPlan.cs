using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>
/// Fail matching writes with an errno. A write matches when its path contains <see cref="PathContains"/> (null =
/// any) and its path or value contains <see cref="Bdf"/> (null = any). The first <see cref="SkipFirst"/> matches pass,
/// the next <see cref="Times"/> fail (without side effects). Counters live in the tree, so they hold across processes.
/// </summary>
public sealed record WriteFault(Errno Errno, string? PathContains = null, string? Bdf = null, int SkipFirst = 0, int Times = 1)
{
    public int Seen { get; init; }
}

/// <summary>After <see cref="Bdf"/> is unbound from a host driver, <see cref="Driver"/> binds it again at once (ignoring the override), <see cref="Times"/> times.</summary>
public sealed record Regrab(string Bdf, string Driver, int Times = 1);

/// <summary>The device disappears (hot removal) right after the <see cref="AfterWrites"/>-th successful write.</summary>
public sealed record HotRemoval(string Bdf, int AfterWrites);

/// <summary>All injected faults of an emulated host, stored in <c>.emulator/faults.json</c>.</summary>
public sealed record FaultPlan
{
    public List<WriteFault> WriteFaults { get; init; } = new();
    /// <summary>drivers_probe / bind of these BDFs succeed but bind nothing.</summary>
    public List<string> ProbeBindsNothing { get; init; } = new();
    /// <summary>/dev/vfio/&lt;N&gt; is never created for these groups.</summary>
    public List<int> VfioNodeNeverAppears { get; init; } = new();
    public List<Regrab> Regrabs { get; init; } = new();
    /// <summary>Unbind from vfio-pci of these BDFs blocks (QEMU holds them) until <c>.emulator/release/&lt;bdf&gt;</c> exists.</summary>
    public List<string> BlockingUnbind { get; init; } = new();
    public List<HotRemoval> HotRemovals { get; init; } = new();
    /// <summary>Writes counted so far (for <see cref="HotRemoval"/>).</summary>
    public int WritesSeen { get; init; }
}
