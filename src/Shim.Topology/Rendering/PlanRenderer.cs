using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Shim.Topology;

/// <summary>Human text and JSON for <c>kataplug plan</c>.</summary>
public static class PlanRenderer
{
    public static string ToJson(TopologyPlan plan) => JsonSerializer.Serialize(plan, TopologyJsonContext.Readable.TopologyPlan);

    public static string ToJson(PlanReport report) => JsonSerializer.Serialize(report, TopologyJsonContext.Readable.PlanReport);

    /// <summary><c>{"succeeded": true, "plan": {…}}</c> or <c>{"succeeded": false, "report": {…}}</c>.</summary>
    public static string ToJson(PlanOutcome outcome) => JsonSerializer.Serialize(outcome, TopologyJsonContext.Readable.PlanOutcome);

    public static string ToText(PlanOutcome outcome) => outcome.Plan is not null ? ToText(outcome.Plan) : ToText(outcome.Report!);

    public static string ToText(TopologyPlan plan)
    {
        var t = new StringBuilder();
        Line(t, $"Topology plan for machine {plan.MachineType} (root bus {plan.RootBus})");
        Line(t, "");
        Line(t, "Topology:");
        if (plan.Topology.Count == 0)
        {
            Line(t, "  (no ports or bridges)");
        }

        foreach (var d in plan.Topology)
        {
            Line(t, $"  {Label(d.Kind),-22} {d.DeviceArgument}");
        }

        Placements(t, "Cold plug (on the command line):", plan.ColdPlug);
        Placements(t, "Hot plug after boot (device_add):", plan.HotPlug);
        if (plan.VhostUser.Count > 0)
        {
            Line(t, "");
            Line(t, "vhost-user:");
            foreach (var v in plan.VhostUser)
            {
                Line(t, $"  {v.Device,-34} {Mode(v.Mode),-4} bus {v.Bus}  socket {v.SocketPath}");
            }
        }

        if (plan.Skipped.Count > 0)
        {
            Line(t, "");
            Line(t, "Not passed through:");
            foreach (var s in plan.Skipped)
            {
                Line(t, $"  {s.Device}: {s.Reason}");
            }
        }

        Line(t, "");
        Line(t, "Free ports for hotplug: " + (plan.FreeHotplugPorts.Count == 0 ? "none" : string.Join(", ", plan.FreeHotplugPorts)));
        if (plan.MachineOptions.Count > 0)
        {
            Line(t, "Machine options: " + string.Join(",", plan.MachineOptions));
        }

        if (plan.KernelParameters.Count > 0)
        {
            Line(t, "Guest kernel parameters: " + string.Join(" ", plan.KernelParameters));
        }

        Line(t, "");
        Line(t, "QEMU arguments:");
        foreach (var a in plan.DeviceArguments)
        {
            Line(t, $"  -device {a}");
        }

        return t.ToString();
    }

    public static string ToText(PlanReport report)
    {
        var t = new StringBuilder();
        var n = report.Problems.Count;
        Line(t, $"{n} problem{(n == 1 ? "" : "s")} found; nothing was changed:");
        for (var i = 0; i < n; i++)
        {
            var p = report.Problems[i];
            Line(t, $"  {(i + 1).ToString(CultureInfo.InvariantCulture)}. {p.Message}");
            foreach (var fix in p.Fixes.Where(f => f.Key.Annotation is not null))
            {
                Line(t, $"     or per pod: annotation {fix.Key.Annotation} (if allowed by enable_annotations)");
                break;
            }
        }

        if (report.TentativePlacements.Count > 0)
        {
            Line(t, "");
            Line(t, "Where the rest would go:");
            foreach (var p in report.TentativePlacements)
            {
                Line(t, $"  {p.Device,-34} {Mode(p.Mode),-4} {p.Port.Id}");
            }
        }

        return t.ToString();
    }

    private static void Placements(StringBuilder t, string title, IReadOnlyList<FunctionPlacement> placements)
    {
        if (placements.Count == 0)
        {
            return;
        }

        Line(t, "");
        Line(t, title);
        foreach (var p in placements)
        {
            Line(t, $"  {p.Device,-34} {p.Port.Id,-18} id={p.Vfio.Id}  ({p.Device.Plugin})");
        }
    }

    private static string Mode(PlugMode mode) => mode == PlugMode.Cold ? "cold" : mode == PlugMode.Hot ? "hot" : "auto";

    private static string Label(TopologyDeviceKind kind) => kind switch
    {
        TopologyDeviceKind.IntelIommu => "vIOMMU",
        TopologyDeviceKind.RootPort => "root port",
        TopologyDeviceKind.SwitchRootPort => "switch root port",
        TopologyDeviceKind.SwitchUpstreamPort => "switch upstream",
        TopologyDeviceKind.SwitchDownstreamPort => "switch downstream",
        TopologyDeviceKind.PciBridge => "pci bridge",
        _ => kind.ToString(),
    };

    // Fixed "\n" so golden text does not depend on the platform.
    private static void Line(StringBuilder t, string text) => t.Append(text).Append('\n');
}
