namespace Shim.Topology;

/// <summary>
/// Plans the PCIe topology and validates everything about it before the first side effect: pure, no I/O.
/// Returns a <see cref="TopologyPlan"/>, or a <see cref="PlanReport"/> listing every problem found.
/// </summary>
public static class TopologyPlanner
{
    public static PlanOutcome Plan(TopologySettings settings, IEnumerable<DeviceRequest> requests, HostFactsSnapshot facts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(facts);

        var ctx = new PlanContext(settings);
        var demand = DemandBuilder.Build(ctx, DemandBuilder.Canonical(requests));
        SettingsRules.CheckExclusive(ctx, demand);
        MachineRules.Check(ctx, demand);
        SettingsRules.CheckCounts(ctx);
        SettingsRules.CheckRootBus(ctx, demand);
        SettingsRules.CheckVhostUser(ctx, demand);
        HostFactRules.Check(ctx, demand.Vfio, facts);

        var (devices, ports) = TopologyBuilder.Build(settings, ctx.Family);
        var placed = Placer.Place(ctx, demand, ports);

        if (ctx.Problems.Count > 0)
        {
            var ordered = ctx.Problems.OrderBy(p => Rank(p.Code)).ToArray();
            return new PlanOutcome(null, new PlanReport(ordered, placed.All));
        }

        var occupants = placed.All
            .Select(p => new PortOccupant(p.Port.Id, p.Vfio.Id, p.Vfio.Host, p.Device.Plugin, p.Device.Interface, p.Mode))
            .Concat(placed.VhostUser.Where(v => v.PortId is not null)
                .Select(v => new PortOccupant(v.PortId!, VhostUserId(v.Device), "", v.Device.Plugin, v.Device.Interface, PlugMode.Hot)))
            .ToArray();
        var allocation = new PortAllocationState(PortAllocationState.CurrentVersion, settings.HotPlugVfio, ports, occupants);
        var freeHot = settings.HotPlugVfio == PortType.NoPort ? [] : allocation.FreePorts(settings.HotPlugVfio).Select(p => p.Id).ToArray();
        var viommu = settings.EnableIommu && ctx.Family == MachineFamily.Q35;

        var plan = new TopologyPlan(
            settings.MachineType,
            ctx.Family.RootBus(),
            viommu ? ["kernel-irqchip=split"] : [],
            viommu ? ["intel_iommu=on", "iommu=pt"] : [],
            devices,
            placed.Cold,
            placed.Hot,
            placed.VhostUser,
            demand.Skipped,
            freeHot,
            allocation);
        return new PlanOutcome(plan, null);
    }

    /// <summary>The QEMU id a hot-plugged vhost-user NIC gets (netdev/chardev ids are the launcher's).</summary>
    public static string VhostUserId(DeviceRef device) => "vhost-user-" + device.Interface;

    // Settings first, then devices, then the host: the order an operator fixes them in.
    private static int Rank(ProblemCode code) => code switch
    {
        ProblemCode.ColdAndHotPlugBothSet or ProblemCode.PortTypeNeedsMachine or ProblemCode.PortCountNeedsMachine
            or ProblemCode.CountNegative or ProblemCode.CountAboveLimit or ProblemCode.RootBusFull or ProblemCode.IommuNeedsQ35 => 0,
        ProblemCode.HostIommuDisabled or ProblemCode.VfioPciUnavailable or ProblemCode.GroupNotInspected
            or ProblemCode.GroupNotViable or ProblemCode.GroupMemberNotRequested => 2,
        _ => 1,
    };
}
