namespace Shim.Topology;

/// <summary>
/// Result of a hotplug allocation against a running sandbox. On failure <see cref="State"/> is the input state
/// unchanged (all or nothing) and <see cref="Report"/> lists every problem.
/// </summary>
public sealed record HotplugOutcome(PortAllocationState State, IReadOnlyList<FunctionPlacement> Placements, PlanReport? Report)
{
    public bool Succeeded => Report is null;
}
