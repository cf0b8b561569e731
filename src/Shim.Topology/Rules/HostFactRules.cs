namespace Shim.Topology;

/// <summary>
/// Host readiness for every VFIO function: IOMMU on, vfio-pci available, and each IOMMU group viable as a whole
/// (every non-bridge member passed to this VM). These have no configuration fix; the message says the action.
/// </summary>
internal static class HostFactRules
{
    public static void Check(PlanContext ctx, IReadOnlyList<(DeviceRequest Request, PciFunction Function)> vfio, HostFactsSnapshot facts)
    {
        if (vfio.Count == 0)
        {
            return;
        }

        var devices = string.Join(", ", vfio.Select(v => v.Request).Distinct().Select(r => r.Ref.ToString()));
        if (!facts.IommuEnabled)
        {
            ctx.Add(ProblemCode.HostIommuDisabled, null, $"the host IOMMU is not enabled, so {devices} cannot be passed through", [],
                "enable VT-d/AMD-Vi in the firmware and boot the host with intel_iommu=on (or amd_iommu=on)");
        }

        if (!facts.VfioPciAvailable)
        {
            ctx.Add(ProblemCode.VfioPciUnavailable, null, $"the vfio-pci driver is not available on the host, so {devices} cannot be bound", [],
                "load it with 'modprobe vfio-pci' (and add vfio-pci to /etc/modules-load.d)");
        }

        var requested = vfio.Select(v => v.Function.Bdf).ToHashSet(StringComparer.Ordinal);
        foreach (var group in vfio.GroupBy(v => v.Function.IommuGroup).OrderBy(g => g.Key))
        {
            var first = group.First().Request;
            var reference = new DeviceRef(first.Plugin, first.Interface, string.Join(", ", group.Where(v => v.Request == first).Select(v => v.Function.Bdf)));
            if (!facts.Groups.TryGetValue(group.Key, out var g))
            {
                ctx.Add(ProblemCode.GroupNotInspected, reference, $"IOMMU group {group.Key} was not inspected on the host", [],
                    $"check that /sys/kernel/iommu_groups/{group.Key} exists and the function's iommu_group link points to it");
                continue;
            }

            if (g.NotViableReason is not null)
            {
                ctx.Add(ProblemCode.GroupNotViable, reference, $"IOMMU group {g.Group} is not viable: {g.NotViableReason}", [],
                    g.Fix ?? "every non-bridge member of the group must be unbound from its host driver and passed to this VM");
            }

            var missing = g.Members.Where(m => !m.IsBridge && !requested.Contains(m.Bdf)).OrderBy(m => m.Bdf, StringComparer.Ordinal).ToArray();
            if (missing.Length > 0)
            {
                var list = string.Join(", ", missing.Select(m => m.Driver is null ? m.Bdf : $"{m.Bdf} (driver {m.Driver})"));
                ctx.Add(ProblemCode.GroupMemberNotRequested, reference,
                    $"IOMMU group {g.Group} also holds {list}, which no request passes to the VM; QEMU would fail 'group {g.Group} is not viable'", [],
                    "request every non-bridge function of the group (e.g. a GPU's audio function), or move the device to a slot with its own group (ACS)");
            }
        }
    }
}
