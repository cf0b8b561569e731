using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>Random allocate/release sequences against a running sandbox's state, with a shim restart after every step.</summary>
public class AllocatorProperties
{
    private sealed record Step(bool Allocate, int Device);

    private static readonly Gen<(PortType Type, int Count, Step[] Steps)> Scenarios =
        from type in Gen.Elements(PortType.RootPort, PortType.SwitchPort, PortType.BridgePort)
        from count in Gen.Choose(0, 6)
        from steps in Gen.ArrayOf(from a in Gen.Frequency((3, Gen.Constant(true)), (2, Gen.Constant(false))) from d in Gen.Choose(0, 9) select new Step(a, d))
        select (type, count, steps);

    [Property(MaxTest = 300)]
    public Property Lowest_free_port_no_double_use_and_state_survives_restarts() =>
        Prop.ForAll(Scenarios.ToArbitrary(), sc =>
        {
            var settings = new TopologySettings
            {
                HotPlugVfio = sc.Type,
                PcieRootPort = sc.Type == PortType.RootPort ? sc.Count : 0,
                PcieSwitchPort = sc.Type == PortType.SwitchPort ? sc.Count : 0,
                DefaultBridges = sc.Type == PortType.BridgePort ? Math.Min(sc.Count, 1) : 0,
            };
            var state = Fixtures.PlanOk(settings).Allocation;
            foreach (var step in sc.Steps)
            {
                var bdf = $"0000:84:01.{step.Device}";
                if (step.Allocate)
                {
                    var nic = Fixtures.Nic($"eth{step.Device}", bdf, PlugMode.Hot, group: step.Device);
                    var expected = state.FreePorts(sc.Type).FirstOrDefault();
                    var held = state.Occupants.Any(o => o.Bdf == bdf);
                    var outcome = HotplugAllocator.Allocate(state, nic, HostFactsSnapshot.ViableFor([nic]));
                    outcome.Succeeded.ShouldBe(expected is not null && !held);
                    if (outcome.Succeeded)
                    {
                        outcome.Placements.Single().Port.ShouldBe(expected);
                    }
                    else
                    {
                        outcome.State.ShouldBeSameAs(state);
                    }

                    state = outcome.State;
                }
                else
                {
                    state = HotplugAllocator.Release(state, bdf);
                    state.Occupants.ShouldNotContain(o => o.Bdf == bdf);
                }

                state.Occupants.Select(o => o.PortId).ShouldBeUnique();
                state.Occupants.All(o => state.Ports.Single(p => p.Id == o.PortId).Type == sc.Type).ShouldBeTrue();
                var restored = PortAllocationState.FromJson(state.ToJson());
                restored.SameAs(state).ShouldBeTrue();
                state = restored;
            }

            return true;
        });
}
