namespace Shim.Topology;

/// <summary>
/// Gives every demand a place, cold before hot, each in BDF order, lowest free port first; every function that
/// finds no place is reported with the count that would give it one.
/// </summary>
internal static class Placer
{
    public sealed record Result(List<FunctionPlacement> Cold, List<FunctionPlacement> Hot, List<VhostUserPlacement> VhostUser)
    {
        public IReadOnlyList<FunctionPlacement> All => [.. Cold, .. Hot];
    }

    public static Result Place(PlanContext ctx, Demand demand, IReadOnlyList<PortSlot> ports)
    {
        var free = new PortFreeList(ports, []);
        var totals = demand.Functions.Select(d => d.PortType)
            .Concat(demand.VhostUser.Where(v => v.Mode == PlugMode.Hot).Select(v => v.PortType))
            .GroupBy(t => t)
            .ToDictionary(g => g.Key, g => g.Count());
        var result = new Result([], [], []);

        var ordered = demand.Functions
            .OrderBy(d => d.Mode == PlugMode.Cold ? 0 : 1)
            .ThenBy(d => d.Function.Bdf, StringComparer.Ordinal);
        foreach (var d in ordered)
        {
            var device = d.Request.RefOf(d.Function);
            var port = free.TakeLowest(d.PortType);
            if (port is null)
            {
                Exhausted(ctx, device, d.Mode, d.PortType, totals[d.PortType]);
                continue;
            }

            var f = d.Function;
            var spec = new VfioDeviceSpec(VfioDeviceSpec.IdFor(f.Bdf), f.Bdf, f.VendorId, f.DeviceId, port.Bus, port.Addr, port.Type);
            (d.Mode == PlugMode.Cold ? result.Cold : result.Hot).Add(new FunctionPlacement(device, d.Mode, port, spec));
        }

        foreach (var v in demand.VhostUser.OrderBy(v => v.Request.Plugin, StringComparer.Ordinal).ThenBy(v => v.Request.Interface, StringComparer.Ordinal))
        {
            var socket = v.Request.VhostUserSocket ?? "";
            if (v.Mode == PlugMode.Cold)
            {
                result.VhostUser.Add(new VhostUserPlacement(v.Request.Ref, PlugMode.Cold, ctx.Family.RootBus(), null, socket));
                continue;
            }

            var port = free.TakeLowest(v.PortType);
            if (port is null)
            {
                Exhausted(ctx, v.Request.Ref, PlugMode.Hot, v.PortType, totals[v.PortType]);
                continue;
            }

            result.VhostUser.Add(new VhostUserPlacement(v.Request.Ref, PlugMode.Hot, port.Bus, port.Id, socket));
        }

        return result;
    }

    private static void Exhausted(PlanContext ctx, DeviceRef device, PlugMode mode, PortType type, int total)
    {
        var s = ctx.S;
        var countSetting = PortCounts.CountSetting(type);
        var needed = PortCounts.Needed(s.Limits, type, total);
        var limit = PortCounts.Limit(s.Limits, type);
        var what = $"needs a {type.Noun()}";
        if (needed <= limit)
        {
            ctx.Add(ProblemCode.PortsExhausted, device, $"{what}; {ctx.Is(countSetting)}", [SettingChange.AtLeast(s, countSetting, needed)]);
            return;
        }

        var modeSetting = mode == PlugMode.Cold ? TopologySetting.ColdPlugVfio : TopologySetting.HotPlugVfio;
        var over = $"{what}; {total} functions need {type.Noun()}s, more than {ctx.Key(countSetting).Name} can give ({limit})";
        var alternative = PortCounts.Suggest(s, ctx.Family, total);
        if (alternative != type && ctx.Family.Supports(alternative)
            && PortCounts.Needed(s.Limits, alternative, total) <= PortCounts.Limit(s.Limits, alternative))
        {
            var fixes = new List<SettingChange> { SettingChange.Port(s, modeSetting, alternative) };
            var count = PortCounts.AtLeastFor(s, alternative, total);
            if (count is not null)
            {
                fixes.Add(count);
            }

            ctx.Add(ProblemCode.PortsAboveLimit, device, over, fixes);
            return;
        }

        ctx.Add(ProblemCode.PortsAboveLimit, device, over, [], "attach fewer devices to one pod");
    }
}
