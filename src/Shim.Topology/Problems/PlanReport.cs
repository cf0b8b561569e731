namespace Shim.Topology;

/// <summary>
/// Every problem found (not only the first), plus where each function would have gone, so the operator sees
/// the whole picture in one run.
/// </summary>
public sealed record PlanReport(IReadOnlyList<PlanProblem> Problems, IReadOnlyList<FunctionPlacement> TentativePlacements);
