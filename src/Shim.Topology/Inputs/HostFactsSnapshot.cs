namespace Shim.Topology;

/// <summary>One member of a host IOMMU group, as HostPci saw it.</summary>
public sealed record GroupMember(string Bdf, uint ClassCode, string? Driver)
{
    public bool IsBridge => (ClassCode >> 8) is 0x0600 or 0x0604;
}

/// <summary>
/// A host IOMMU group. <see cref="NotViableReason"/> is null when the group can be handed to vfio-pci as a whole;
/// otherwise it says why (e.g. "0000:84:00.0 is bound to mlx5_core and backs eth0") and <see cref="Fix"/> says what to do.
/// </summary>
public sealed record IommuGroupFacts(int Group, IReadOnlyList<GroupMember> Members, string? NotViableReason = null, string? Fix = null);

/// <summary>What the host can do, read once before planning (the planner itself does no I/O).</summary>
public sealed record HostFactsSnapshot(bool IommuEnabled, bool VfioPciAvailable, IReadOnlyDictionary<int, IommuGroupFacts> Groups)
{
    /// <summary>A healthy host whose groups hold exactly the requested functions (tests, benchmarks, dry runs).</summary>
    public static HostFactsSnapshot ViableFor(IEnumerable<DeviceRequest> requests)
    {
        var groups = requests
            .SelectMany(r => r.Functions)
            .GroupBy(f => f.IommuGroup)
            .ToDictionary(
                g => g.Key,
                g => new IommuGroupFacts(g.Key, g.Select(f => new GroupMember(f.Bdf, f.ClassCode, "vfio-pci")).ToArray()));
        return new HostFactsSnapshot(true, true, groups);
    }
}
