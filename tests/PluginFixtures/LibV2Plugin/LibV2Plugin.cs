using Shim.Abstractions;

[assembly: PluginContractVersion(PluginContract.VersionText)]

namespace PluginFixtures.LibV2Plugin;

/// <summary>Test fixture plugin "lib-v2".</summary>
public sealed class FixturePlugin : IEndpointPlugin
{
    public string Name => "lib-v2";

    public Version Version { get; } = new(0, 1, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Vfio];

    public Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var version = typeof(FixtureLib.LibraryVersion).Assembly.GetName().Version!.ToString();
        return Task.FromResult(new DiscoveryResult([new EndpointCandidate("lib-" + version, EndpointKind.Vfio, "FixtureLib says " + FixtureLib.LibraryVersion.Text) { Bdfs = ["0000:3b:00.0"] }], []));
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken) =>
        Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(new AttachmentRequest(Name, candidate.Id, EndpointKind.Vfio)
        {
            PciFunctions = candidate.Bdfs.Select(b => new PciFunctionRequest(b, PlugMode.Auto, null)).ToList(),
        }));
}
