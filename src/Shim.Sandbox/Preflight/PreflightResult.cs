using Shim.Abstractions;
using Shim.HostPci;
using Shim.Topology;

namespace Shim.Sandbox.Preflight;

/// <summary>
/// The outcome of discover → plan → validate. <see cref="Succeeded"/> only when plugins and the planner found no
/// problem; then <see cref="Topology"/> holds the plan the apply step executes.
/// </summary>
public sealed record PreflightResult(
    HostInventory Inventory,
    IReadOnlyList<AttachmentRequest> Attachments,
    IReadOnlyList<DeviceRequest> DeviceRequests,
    IReadOnlyList<string> DiscoveryProblems,
    IReadOnlyList<string> Notes,
    Shim.Topology.PlanOutcome Topology)
{
    public bool Succeeded => DiscoveryProblems.Count == 0 && Topology.Succeeded;

    /// <summary>Every problem as one line each: discovery first, then the planner's.</summary>
    public IEnumerable<string> ProblemLines =>
        DiscoveryProblems.Concat(Topology.Problems.Select(p => p.ToString()));
}
