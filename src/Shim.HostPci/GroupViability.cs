namespace Shim.HostPci;

/// <summary>The verdict on one group: assignable or not, and every reason it is not (each naming the fix).</summary>
public sealed record GroupViabilityResult(int Group, bool Assignable, string? Reason, IReadOnlyList<string> Problems);

/// <summary>
/// Pre-flight check of a whole IOMMU group (sysfs-pci.md §2.7, §2.9, §5). Pure: reads the snapshot only and never
/// writes, so the planner and `kataplug inventory` can call it freely; <see cref="GroupBinder"/> calls it again on
/// fresh data before its first write.
/// </summary>
public static class GroupViability
{
    /// <summary>Refusal of passthrough without isolation; host-wide, but planners without a fact for it report it per group.</summary>
    public const string UnsafeNoIommuProblem =
        "vfio unsafe no-IOMMU mode is on (enable_unsafe_noiommu_mode=Y or /dev/vfio/noiommu-*): refusing passthrough without isolation; set the vfio module parameter enable_unsafe_noiommu_mode=N";

    public static GroupViabilityResult Check(HostFacts facts, IommuGroup group, bool allowHostDevices = false)
    {
        var problems = new List<string>();
        if (!facts.IommuEnabled)
            problems.Add("the IOMMU is off (sys/kernel/iommu_groups is empty): enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on");
        if (facts.UnsafeNoIommu)
            problems.Add(UnsafeNoIommuProblem);
        if (!facts.VfioPciAvailable)
            problems.Add($"vfio-pci is neither loaded (no sys/bus/pci/drivers/vfio-pci) nor installed for kernel {facts.KernelRelease ?? "?"}: install the kernel's vfio-pci module or load it with `modprobe vfio-pci`");
        problems.AddRange(MemberProblems(group, allowHostDevices));
        return new GroupViabilityResult(group.Number, problems.Count == 0, problems.Count == 0 ? null : string.Join("; ", problems), problems);
    }

    /// <summary>What makes this group itself unassignable, whatever the host: its members, not the host-wide facts.</summary>
    public static IReadOnlyList<string> MemberProblems(IommuGroup group, bool allowHostDevices = false)
    {
        var problems = new List<string>();
        var members = group.Assignable.ToList();
        if (members.Count == 0)
            problems.Add($"group {group.Number} holds only bridges (classes 0x0600/0x0604): nothing to assign");
        foreach (var m in members)
        {
            if (m.IommuGroup != group.Number)
                problems.Add($"{m.Address} has no iommu_group link matching group {group.Number}: the IOMMU is not active for it");
            if (m.SriovNumVfs is > 0 && !m.IsOnVfio)
                problems.Add($"{m.Address} is an SR-IOV PF with {m.SriovNumVfs} VFs enabled and vfio-pci refuses it (EBUSY): assign a VF instead, or write 0 to sriov_numvfs first");
            if (allowHostDevices) continue;
            if (!m.IsVirtualFunction)
            {
                foreach (var nic in m.NetInterfaces.Where(n => n.IsUp))
                    problems.Add($"{m.Address} ({m.Driver ?? "no driver"}) drives host interface {nic.Name}, which is up: binding it would take the host's network down; take the interface down, pick another group, or set allow_host_devices = true in [host]");
            }
            foreach (var block in m.BlockDevices.Where(b => b.InUse))
                problems.Add($"{m.Address} ({m.Driver ?? "no driver"}) backs block device {block.Name}, {block.Usage}: the host needs it; unmount it, pick another group, or set allow_host_devices = true in [host]");
        }
        return problems;
    }
}
