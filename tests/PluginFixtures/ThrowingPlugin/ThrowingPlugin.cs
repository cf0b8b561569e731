using Shim.Abstractions;

[assembly: PluginContractVersion(PluginContract.VersionText)]

namespace PluginFixtures.ThrowingPlugin;

/// <summary>Test fixture plugin "throwing".</summary>
public sealed class FixturePlugin : IEndpointPlugin
{
    public string Name => "throwing";

    public Version Version { get; } = new(0, 1, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Vfio];

    public Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        throw new InvalidOperationException("boom from discovery");
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken) =>
        Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(new AttachmentRequest(Name, candidate.Id, EndpointKind.Vfio)
        {
            PciFunctions = candidate.Bdfs.Select(b => new PciFunctionRequest(b, PlugMode.Auto, null)).ToList(),
        }));
}
