using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shim.Topology;

namespace Shim.Topology.Tests;

public class PlannerProperties
{
    private static PlanOutcome Plan(TopologySettings settings, IEnumerable<DeviceRequest> requests)
    {
        var list = requests.ToArray();
        return TopologyPlanner.Plan(settings, list, HostFactsSnapshot.ViableFor(list));
    }

    [Property(MaxTest = 500)]
    public Property Never_more_devices_than_ports_of_the_type_and_every_bus_exists() =>
        Prop.ForAll(ScenarioGen.Arb, s =>
        {
            var plan = Plan(s.Settings, s.Requests).Plan;
            if (plan is null)
            {
                return true;
            }

            var placements = plan.ColdPlug.Concat(plan.HotPlug).ToArray();
            placements.Select(p => p.Port.Id).Concat(plan.VhostUser.Where(v => v.PortId != null).Select(v => v.PortId!)).ShouldBeUnique();
            foreach (var type in Enum.GetValues<PortType>())
            {
                placements.Count(p => p.Port.Type == type).ShouldBeLessThanOrEqualTo(plan.Allocation.Ports.Count(p => p.Type == type));
            }

            GoldenDeviceLineTests.BusesExist(plan);
            return true;
        });

    [Property(MaxTest = 500)]
    public Property Every_requested_function_is_placed_skipped_or_named_by_a_problem() =>
        Prop.ForAll(ScenarioGen.Arb, s =>
        {
            var outcome = Plan(s.Settings, s.Requests);
            var placed = (outcome.Plan is { } p ? p.ColdPlug.Concat(p.HotPlug) : outcome.Report!.TentativePlacements)
                .Select(x => x.Vfio.Host).ToHashSet();
            var skipped = outcome.Plan?.Skipped.Select(x => x.Device.Bdf).ToHashSet() ?? [];
            foreach (var r in s.Requests)
            {
                foreach (var f in r.Functions.Where(f => r.Kind == DeviceKind.Vfio))
                {
                    var ok = f.IsBridge
                        ? outcome.Plan is null || skipped.Contains(f.Bdf)
                        : placed.Contains(f.Bdf) || outcome.Problems.Any(x => x.Device?.Bdf.Contains(f.Bdf, StringComparison.Ordinal) == true);
                    ok.ShouldBeTrue($"{f.Bdf} of {r.Interface} neither placed nor reported");
                }
            }

            return true;
        });

    [Property(MaxTest = 300)]
    public Property Same_input_gives_the_same_plan_whatever_the_request_order() =>
        Prop.ForAll(ScenarioGen.Arb, s =>
        {
            var a = PlanRenderer.ToJson(Plan(s.Settings, s.Requests));
            var b = PlanRenderer.ToJson(Plan(s.Settings, s.Requests));
            var reversed = PlanRenderer.ToJson(Plan(s.Settings, s.Requests.Reverse()));
            b.ShouldBe(a);
            reversed.ShouldBe(a);
            return true;
        });

    [Property(MaxTest = 500)]
    public Property Applying_a_suggested_fix_makes_that_problem_disappear() =>
        Prop.ForAll(ScenarioGen.Arb, s =>
        {
            foreach (var problem in Plan(s.Settings, s.Requests).Problems.Where(p => p.Fixes.Count > 0))
            {
                var after = Plan(s.Settings.ApplyAll(problem.Fixes), s.Requests);
                after.Problems.Any(p => p.Code == problem.Code && p.Device == problem.Device && p.Key == problem.Key).ShouldBeFalse(
                    $"fix '{FixList(problem)}' did not remove: {problem.Message}\nafter: {string.Join("\n", after.Problems.Select(p => p.Message))}");
            }

            return true;
        });

    [Property(MaxTest = 500)]
    public Property Suggested_port_counts_are_minimal() =>
        Prop.ForAll(ScenarioGen.Arb, s =>
        {
            foreach (var problem in Plan(s.Settings, s.Requests).Problems.Where(p => p.Code == ProblemCode.PortsExhausted))
            {
                var fix = problem.Fixes.Single();
                fix.Kind.ShouldBe(ChangeKind.AtLeast);
                var oneLess = fix with { Kind = ChangeKind.Set, Value = (int.Parse(fix.Value) - 1).ToString() };
                var after = Plan(s.Settings.Apply(oneLess), s.Requests);
                after.Problems.Any(p => p.Code == ProblemCode.PortsExhausted && p.Key == fix.Key).ShouldBeTrue(
                    $"'{oneLess.Render()}' already suffices for: {problem.Message}");
            }

            return true;
        });

    private static string FixList(PlanProblem p) => string.Join(", ", p.Fixes.Select(f => f.Render()));
}
