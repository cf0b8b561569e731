namespace Shim.Abstractions;

/// <summary>
/// An endpoint plugin. It only looks (through the read-only views in <see cref="PluginContext"/>) and describes
/// (<see cref="AttachmentRequest"/>); the host validates and applies everything. A plugin assembly exposes exactly one
/// public, non-abstract implementation with a public parameterless constructor, and declares
/// <c>[assembly: PluginContractVersion(PluginContract.VersionText)]</c>.
/// </summary>
public interface IEndpointPlugin
{
    /// <summary>Configuration name, e.g. <c>physical-vf</c> (the <c>[plugins.&lt;name&gt;]</c> table).</summary>
    string Name { get; }

    Version Version { get; }

    IReadOnlyList<EndpointKind> Kinds { get; }

    /// <summary>Find what this plugin could attach in the sandbox. Must not change anything.</summary>
    Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken);

    /// <summary>Turn one of this plugin's candidates into an attachment request, a failure, or a refusal.</summary>
    Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken);
}
