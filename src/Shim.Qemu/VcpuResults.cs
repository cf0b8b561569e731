namespace Shim.Qemu;

/// <summary>
/// Outcome of a vCPU hot-add. <see cref="Added"/>: QEMU created them; <see cref="Onlined"/>: the guest acknowledged
/// them through ACPI <c>_OST</c> (insertion success), which is the guest-side signal QMP offers (the in-guest online
/// step is the agent's). <see cref="Error"/> quotes QEMU when an add failed part-way.
/// </summary>
public sealed record VcpuAddResult(int Requested, IReadOnlyList<VcpuSlot> Added, IReadOnlyList<VcpuSlot> Onlined, string? Error)
{
    public bool Complete => Added.Count == Requested && Onlined.Count == Requested;

    public string Summary =>
        $"vCPU hot-add: requested {Requested}, added {Added.Count}, onlined by the guest {Onlined.Count}" +
        (Error is null ? "" : $"; stopped: {Error}") +
        (Added.Count > Onlined.Count
            ? $"; the guest did not acknowledge {string.Join(", ", Added.Except(Onlined).Select(s => s.Id))} (no guest OS yet, or its ACPI CPU hotplug did not run)"
            : "");
}

/// <summary>Outcome of a vCPU hot-remove (last added first). <see cref="Removed"/> are confirmed gone by query-cpus-fast.</summary>
public sealed record VcpuRemoveResult(int Requested, IReadOnlyList<VcpuSlot> Removed, string? Error)
{
    public bool Complete => Removed.Count == Requested;

    public string Summary =>
        $"vCPU hot-remove: requested {Requested}, removed {Removed.Count}" + (Error is null ? "" : $"; stopped: {Error}");
}
