namespace Shim.Topology;

/// <summary>Checks on the settings alone: cold/hot exclusivity, count ranges, the root bus's slot budget.</summary>
internal static class SettingsRules
{
    public static void CheckExclusive(PlanContext ctx, Demand demand)
    {
        var s = ctx.S;
        if (s.ColdPlugVfio == PortType.NoPort || s.HotPlugVfio == PortType.NoPort)
        {
            return;
        }

        // Keep the mode the requests actually ask for.
        var off = demand.HasExplicitHot && !demand.HasExplicitCold ? TopologySetting.ColdPlugVfio : TopologySetting.HotPlugVfio;
        ctx.Add(ProblemCode.ColdAndHotPlugBothSet, null,
            $"{ctx.Is(TopologySetting.ColdPlugVfio)} and {ctx.Is(TopologySetting.HotPlugVfio)}: only one of them can be set (Kata's rule) — "
            + "every VFIO device of the sandbox follows the one mode that is set, and the ports of both come from the same pool "
            + "created at boot, so with both set a device's mode and its port would be ambiguous",
            [SettingChange.Port(s, off, PortType.NoPort)]);
    }

    public static void CheckCounts(PlanContext ctx)
    {
        var s = ctx.S;
        foreach (var (setting, value, limit) in new[]
                 {
                     (TopologySetting.PcieRootPort, s.PcieRootPort, s.Limits.MaxRootPorts),
                     (TopologySetting.PcieSwitchPort, s.PcieSwitchPort, s.Limits.MaxSwitchPorts),
                     (TopologySetting.DefaultBridges, s.DefaultBridges, s.Limits.MaxBridges),
                 })
        {
            if (value < 0)
            {
                ctx.Add(ProblemCode.CountNegative, null, $"{ctx.Is(setting)} is negative", [SettingChange.AtLeast(s, setting, 0)]);
            }
            else if (value > limit)
            {
                ctx.Add(ProblemCode.CountAboveLimit, null, $"{ctx.Is(setting)} is above the limit of {limit} (refused, not clamped)",
                    [SettingChange.AtMost(s, setting, limit)]);
            }
        }
    }

    /// <summary>
    /// Root ports, the switch's root port, bridges and cold vhost-user NICs each take a slot on pcie.0/pci.0,
    /// which has <see cref="TopologyLimits.RootBusSlots"/> for us, minus the launcher's own devices.
    /// </summary>
    public static void CheckRootBus(PlanContext ctx, Demand demand)
    {
        var s = ctx.S;
        var l = s.Limits;
        if (ctx.Family == MachineFamily.Other)
        {
            return;
        }

        var rootPorts = PortCounts.Places(s, ctx.Family, PortType.RootPort);
        var switchPort = PortCounts.Places(s, ctx.Family, PortType.SwitchPort) > 0 ? 1 : 0;
        var bridges = Math.Clamp(s.DefaultBridges, 0, l.MaxBridges);
        var vhost = demand.VhostUser.Count(v => v.Mode == PlugMode.Cold);
        var used = rootPorts + switchPort + bridges + vhost + l.ReservedRootBusSlots;
        if (used <= l.RootBusSlots)
        {
            return;
        }

        var room = l.RootBusSlots - l.ReservedRootBusSlots - switchPort - bridges - vhost;
        var what = $"the root bus {ctx.Family.RootBus()} needs {used} slots ({rootPorts} root ports, {switchPort} switch, {bridges} bridges, "
            + $"{vhost} vhost-user NICs, {l.ReservedRootBusSlots} for the VM's own devices) but has {l.RootBusSlots}";
        if (room >= 0 && rootPorts > 0)
        {
            ctx.Add(ProblemCode.RootBusFull, null, what, [SettingChange.AtMost(s, TopologySetting.PcieRootPort, room)]);
        }
        else
        {
            ctx.Add(ProblemCode.RootBusFull, null, what, [], "use fewer bridges or vhost-user NICs");
        }
    }

    public static void CheckVhostUser(PlanContext ctx, Demand demand)
    {
        foreach (var v in demand.VhostUser)
        {
            if (!ctx.S.SharedMemory)
            {
                // Without share=on the backend (OVS-DPDK, VPP) cannot map guest RAM and the datapath is silently dead (W13).
                ctx.Add(ProblemCode.VhostUserNeedsSharedMemory, v.Request.Ref,
                    $"vhost-user needs guest memory in a shared memory backend; {ctx.Is(TopologySetting.SharedMemory)}",
                    [SettingChange.Of(ctx.S, TopologySetting.SharedMemory, ChangeKind.Set, "true")]);
            }
        }
    }
}
