namespace Shim.Topology;

/// <summary>
/// Port allocation for a running sandbox: lowest free port of the sandbox's <c>hot_plug_vfio</c> type, all
/// functions of a request or none, and release when a device is removed (on <c>DEVICE_DELETED</c>, or when the
/// <c>device_add</c> failed). Pure: the caller persists the returned state before acting on it.
/// </summary>
public static class HotplugAllocator
{
    public static HotplugOutcome Allocate(PortAllocationState state, DeviceRequest request, HostFactsSnapshot facts, TopologyKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(facts);
        if (request.Kind != DeviceKind.Vfio)
        {
            throw new ArgumentException(
                $"hotplug allocation of {request.Ref} ({request.Kind}) is not supported here; plan vhost-user NICs with TopologyPlanner.Plan", nameof(request));
        }

        keys ??= TopologyKeys.Kata;
        var problems = new List<PlanProblem>();
        var held = state.Occupants.ToDictionary(o => o.Bdf, StringComparer.Ordinal);
        var functions = request.Functions.Where(f => !f.IsBridge).OrderBy(f => f.Bdf, StringComparer.Ordinal).ToArray();
        if (functions.Length == 0)
        {
            problems.Add(new PlanProblem(ProblemCode.EmptyRequest, request.Ref, [],
                $"{request.Ref}: the request names no PCI function to plug — fix the {request.Plugin} plugin's configuration for {request.Interface}"));
        }

        foreach (var f in functions.Where(f => held.ContainsKey(f.Bdf)))
        {
            var o = held[f.Bdf];
            problems.Add(new PlanProblem(ProblemCode.AlreadyAttached, request.RefOf(f), [],
                $"{request.RefOf(f)}: is already attached as {o.QemuId} on {o.PortId} for {o.Interface} ({o.Plugin}) — detach it first"));
        }

        var type = state.HotPlugType;
        var placements = new List<FunctionPlacement>();
        if (type == PortType.NoPort)
        {
            var s = new TopologySettings { Keys = keys, HotPlugVfio = PortType.NoPort };
            var fix = new[] { SettingChange.Port(s, TopologySetting.HotPlugVfio, PortType.RootPort), SettingChange.AtLeast(s, TopologySetting.PcieRootPort, functions.Length) };
            problems.Add(new PlanProblem(ProblemCode.HotPlugDisabled, request.Ref, fix,
                $"{request.Ref}: cannot be hot-plugged, this sandbox was started with {keys.HotPlugVfio.Name} = \"no-port\" — {FixText.Of(fix)} for new sandboxes"));
        }
        else
        {
            var free = new PortFreeList(state.Ports, state.Occupants.Select(o => o.PortId));
            var total = free.Total(type);
            var inUse = state.Occupants.Count(o => state.Ports.Any(p => p.Id == o.PortId && p.Type == type));
            foreach (var f in functions.Where(f => !held.ContainsKey(f.Bdf)))
            {
                var port = free.TakeLowest(type);
                if (port is null)
                {
                    problems.Add(Exhausted(keys, state, request.RefOf(f), type, total, inUse + functions.Length));
                    continue;
                }

                var spec = new VfioDeviceSpec(VfioDeviceSpec.IdFor(f.Bdf), f.Bdf, f.VendorId, f.DeviceId, port.Bus, port.Addr, port.Type);
                placements.Add(new FunctionPlacement(request.RefOf(f), PlugMode.Hot, port, spec));
            }
        }

        var vfio = functions.Select(f => (request, f)).ToArray();
        var ctx = new PlanContext(new TopologySettings { Keys = keys });
        HostFactRules.Check(ctx, vfio, facts);
        problems.AddRange(ctx.Problems);

        if (problems.Count > 0)
        {
            return new HotplugOutcome(state, [], new PlanReport(problems, placements));
        }

        var occupants = state.Occupants.Concat(placements.Select(p =>
            new PortOccupant(p.Port.Id, p.Vfio.Id, p.Vfio.Host, request.Plugin, request.Interface, PlugMode.Hot))).ToArray();
        return new HotplugOutcome(state with { Occupants = occupants }, placements, null);
    }

    /// <summary>Frees the port of one function (by host BDF or QEMU id); unknown ids leave the state as it is.</summary>
    public static PortAllocationState Release(PortAllocationState state, string bdfOrQemuId)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state with
        {
            Occupants = state.Occupants.Where(o => o.Bdf != bdfOrQemuId && o.QemuId != bdfOrQemuId).ToArray(),
        };
    }

    /// <summary>Frees every port held for one plugin interface (a removed endpoint).</summary>
    public static PortAllocationState ReleaseInterface(PortAllocationState state, string plugin, string iface)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state with
        {
            Occupants = state.Occupants.Where(o => !(o.Plugin == plugin && o.Interface == iface)).ToArray(),
        };
    }

    private static PlanProblem Exhausted(TopologyKeys keys, PortAllocationState state, DeviceRef device, PortType type, int total, int needed)
    {
        var s = new TopologySettings { Keys = keys };
        var setting = PortCounts.CountSetting(type);
        var count = type == PortType.BridgePort ? state.Ports.Where(p => p.Type == type).Select(p => p.Bus).Distinct().Count() : total;
        var fix = new[] { SettingChange.AtLeast(s, setting, PortCounts.Needed(s.Limits, type, needed)) };
        return new PlanProblem(ProblemCode.PortsExhausted, device, fix,
            $"{device}: needs a free {type.Noun()} for hotplug; all {total} are in use ({keys.For(setting).Name} = {count}) — {FixText.Of(fix)} for new sandboxes");
    }
}
