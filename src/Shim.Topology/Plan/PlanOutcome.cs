namespace Shim.Topology;

/// <summary>Either a plan or a report with every problem; never both.</summary>
public sealed record PlanOutcome(TopologyPlan? Plan, PlanReport? Report)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public bool Succeeded => Plan is not null;

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<PlanProblem> Problems => Report?.Problems ?? [];
}
