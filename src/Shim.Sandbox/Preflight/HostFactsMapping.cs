using Shim.HostPci;
using Shim.Topology;

namespace Shim.Sandbox.Preflight;

/// <summary>The host facts the planner needs: IOMMU, vfio-pci, and the viability of every group a request touches.</summary>
internal static class HostFactsMapping
{
    public static HostFactsSnapshot Snapshot(HostInventory inventory, IEnumerable<DeviceRequest> requests, bool allowHostDevices)
    {
        var groups = new Dictionary<int, IommuGroupFacts>();
        foreach (var number in requests.SelectMany(r => r.Functions).Select(f => f.IommuGroup).Where(g => g >= 0).Distinct())
        {
            if (inventory.Group(number) is not { } group) continue;
            // The planner reports IOMMU and vfio-pci availability once from the snapshot; no-IOMMU mode has no
            // fact of its own there, so it travels with each group's reasons.
            var own = (inventory.Facts.UnsafeNoIommu ? [GroupViability.UnsafeNoIommuProblem] : Array.Empty<string>())
                .Concat(GroupViability.MemberProblems(group, allowHostDevices)).ToArray();
            groups[number] = new IommuGroupFacts(
                number,
                group.Members.Select(m => new GroupMember(m.Address.ToString(), m.Class.Value, m.Driver)).ToArray(),
                own.Length == 0 ? null : string.Join("; ", own),
                // Each reason already ends with its own remedy; this one closes the sentence for the operator.
                "or pick a device whose IOMMU group the host does not need (`kataplug inventory` shows each group's verdict)");
        }
        return new HostFactsSnapshot(inventory.Facts.IommuEnabled, inventory.Facts.VfioPciAvailable, groups);
    }
}
