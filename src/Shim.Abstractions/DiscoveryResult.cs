namespace Shim.Abstractions;

/// <summary>What discovery found, and what it looked at but skipped (with the reason, for operators).</summary>
public sealed record DiscoveryResult(IReadOnlyList<EndpointCandidate> Candidates, IReadOnlyList<string> Skipped)
{
    public static DiscoveryResult Nothing { get; } = new([], []);
}
