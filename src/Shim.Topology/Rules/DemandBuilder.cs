namespace Shim.Topology;

/// <summary>
/// Expands requests into per-function demands: drops bridges (reported as skipped), refuses duplicates, and
/// resolves Auto/Cold/Hot against <c>cold_plug_vfio</c>/<c>hot_plug_vfio</c>, reporting every request that has
/// no port to go to (the #10162 seed case among them).
/// </summary>
internal static class DemandBuilder
{
    /// <summary>Requests in a canonical order, so the plan does not depend on discovery order.</summary>
    public static IReadOnlyList<DeviceRequest> Canonical(IEnumerable<DeviceRequest> requests) =>
        requests
            .Select(r => r with { Functions = r.Functions.OrderBy(f => f.Bdf, StringComparer.Ordinal).ToArray() })
            .OrderBy(r => r.Plugin, StringComparer.Ordinal)
            .ThenBy(r => r.Interface, StringComparer.Ordinal)
            .ThenBy(r => r.Functions.Count > 0 ? r.Functions[0].Bdf : "", StringComparer.Ordinal)
            .ToArray();

    public static Demand Build(PlanContext ctx, IReadOnlyList<DeviceRequest> requests)
    {
        var demand = new Demand();
        var owners = new Dictionary<string, DeviceRequest>(StringComparer.Ordinal);
        var candidates = new List<(DeviceRequest Request, IReadOnlyList<PciFunction> Functions)>();

        foreach (var r in requests)
        {
            demand.HasExplicitCold |= r.Mode == PlugMode.Cold;
            demand.HasExplicitHot |= r.Mode == PlugMode.Hot;
            if (r.Kind == DeviceKind.VhostUser)
            {
                candidates.Add((r, []));
                continue;
            }

            if (r.Functions.Count == 0)
            {
                ctx.Add(ProblemCode.EmptyRequest, r.Ref, "the request names no PCI function", [],
                    $"fix the {r.Plugin} plugin's configuration for {r.Interface}");
                continue;
            }

            var kept = new List<PciFunction>();
            foreach (var f in r.Functions)
            {
                if (f.IsBridge)
                {
                    demand.Skipped.Add(new SkippedFunction(r.RefOf(f), $"class {f.ClassHex} is a host/PCI bridge; bridges are never passed through"));
                    continue;
                }

                if (owners.TryGetValue(f.Bdf, out var first))
                {
                    ctx.Add(ProblemCode.DuplicateFunction, r.RefOf(f), $"is already requested by {first.Ref} ({first.Plugin})", [],
                        "a function can be passed to a VM once; remove it from one of the two plugin configurations");
                    continue;
                }

                owners.Add(f.Bdf, r);
                kept.Add(f);
                demand.Vfio.Add((r, f));
            }

            if (kept.Count > 0)
            {
                candidates.Add((r, kept));
            }
        }

        // Counts used by suggestions: how many places a mode would need once it is switched on.
        int Places(PlugMode mode) => candidates
            .Where(c => c.Request.Mode == PlugMode.Auto || c.Request.Mode == mode)
            .Sum(c => c.Request.Kind == DeviceKind.VhostUser ? (mode == PlugMode.Hot && c.Request.Mode == PlugMode.Hot ? 1 : 0) : c.Functions.Count);

        foreach (var (r, functions) in candidates)
        {
            if (r.Kind == DeviceKind.VhostUser)
            {
                AddVhost(ctx, demand, r, Places(PlugMode.Hot));
            }
            else
            {
                AddVfio(ctx, demand, r, functions, Places(PlugMode.Cold), Places(PlugMode.Hot));
            }
        }

        return demand;
    }

    private static void AddVfio(PlanContext ctx, Demand demand, DeviceRequest r, IReadOnlyList<PciFunction> functions, int coldPlaces, int hotPlaces)
    {
        var s = ctx.S;
        var reference = new DeviceRef(r.Plugin, r.Interface, string.Join(", ", functions.Select(f => f.Bdf)));
        PlugMode mode;
        PortType type;
        switch (r.Mode)
        {
            case PlugMode.Auto when s.ColdPlugVfio != PortType.NoPort:
            case PlugMode.Cold when s.ColdPlugVfio != PortType.NoPort:
                (mode, type) = (PlugMode.Cold, s.ColdPlugVfio);
                break;
            case PlugMode.Auto when s.HotPlugVfio != PortType.NoPort:
            case PlugMode.Hot when s.HotPlugVfio != PortType.NoPort:
                (mode, type) = (PlugMode.Hot, s.HotPlugVfio);
                break;
            case PlugMode.Auto:
            {
                // Kata issue 10162: a VF was unbound and QEMU then failed on a bus named "<unknown PCIePortBusPrefix: >0".
                var fixes = EnableMode(ctx, TopologySetting.ColdPlugVfio, coldPlaces);
                ctx.Problems.Add(new PlanProblem(ProblemCode.NoVfioPortConfigured, reference, fixes,
                    $"{ctx.Is(TopologySetting.ColdPlugVfio)} and {ctx.Is(TopologySetting.HotPlugVfio)}: {reference} can only be attached through VFIO — {FixText.Of(fixes)}"));
                return;
            }

            case PlugMode.Cold:
                ctx.Add(ProblemCode.ColdPlugDisabled, reference, $"asks for cold plug; {ctx.Is(TopologySetting.ColdPlugVfio)}",
                    EnableMode(ctx, TopologySetting.ColdPlugVfio, coldPlaces));
                return;
            default:
                ctx.Add(ProblemCode.HotPlugDisabled, reference, $"asks for hot plug; {ctx.Is(TopologySetting.HotPlugVfio)}",
                    EnableMode(ctx, TopologySetting.HotPlugVfio, hotPlaces));
                return;
        }

        var setting = mode == PlugMode.Cold ? TopologySetting.ColdPlugVfio : TopologySetting.HotPlugVfio;
        if (!ctx.Family.Supports(type))
        {
            demand.UnsupportedReported.Add(setting);
            ctx.Add(ProblemCode.PortTypeNeedsMachine, reference, MachineRules.NeedsMachineText(ctx, setting), MachineRules.MachineFix(ctx));
            return;
        }

        foreach (var f in functions)
        {
            demand.Functions.Add(new FunctionDemand(r, f, mode, type));
        }
    }

    private static void AddVhost(PlanContext ctx, Demand demand, DeviceRequest r, int hotPlaces)
    {
        if (r.Mode != PlugMode.Hot)
        {
            demand.VhostUser.Add(new VhostDemand(r, PlugMode.Cold, PortType.NoPort));
            return;
        }

        var type = ctx.S.HotPlugVfio;
        if (type == PortType.NoPort)
        {
            ctx.Add(ProblemCode.HotPlugDisabled, r.Ref, $"asks for hot plug; {ctx.Is(TopologySetting.HotPlugVfio)}",
                EnableMode(ctx, TopologySetting.HotPlugVfio, hotPlaces));
            return;
        }

        if (!ctx.Family.Supports(type))
        {
            demand.UnsupportedReported.Add(TopologySetting.HotPlugVfio);
            ctx.Add(ProblemCode.PortTypeNeedsMachine, r.Ref, MachineRules.NeedsMachineText(ctx, TopologySetting.HotPlugVfio), MachineRules.MachineFix(ctx));
            return;
        }

        demand.VhostUser.Add(new VhostDemand(r, PlugMode.Hot, type));
    }

    /// <summary>
    /// Switch a mode on: the port type for this machine, the count for every place it will then need, the other
    /// mode off (they are exclusive), and q35 when the machine has no PCI ports at all.
    /// </summary>
    private static SettingChange[] EnableMode(PlanContext ctx, TopologySetting modeSetting, int places)
    {
        var s = ctx.S;
        var type = PortCounts.Suggest(s, ctx.Family, Math.Max(places, 1));
        var fixes = new List<SettingChange> { SettingChange.Port(s, modeSetting, type) };
        var count = PortCounts.AtLeastFor(s, type, Math.Max(places, 1));
        if (count is not null)
        {
            fixes.Add(count);
        }

        var other = modeSetting == TopologySetting.ColdPlugVfio ? TopologySetting.HotPlugVfio : TopologySetting.ColdPlugVfio;
        var otherValue = other == TopologySetting.ColdPlugVfio ? s.ColdPlugVfio : s.HotPlugVfio;
        if (otherValue != PortType.NoPort)
        {
            fixes.Add(SettingChange.Port(s, other, PortType.NoPort));
        }

        if (ctx.Family == MachineFamily.Other)
        {
            fixes.Add(SettingChange.Of(s, TopologySetting.MachineType, ChangeKind.Set, "q35"));
        }

        return [.. fixes];
    }
}
