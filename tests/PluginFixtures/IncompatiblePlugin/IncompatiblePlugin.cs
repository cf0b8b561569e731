using Shim.Abstractions;

[assembly: PluginContractVersion("99.0")]

namespace PluginFixtures.IncompatiblePlugin;

/// <summary>Test fixture plugin "incompatible".</summary>
public sealed class FixturePlugin : IEndpointPlugin
{
    public string Name => "incompatible";

    public Version Version { get; } = new(0, 1, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Vfio];

    public Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var bdf = context.Settings.GetString("bdf", "0000:3b:00.0");
        return Task.FromResult(new DiscoveryResult([new EndpointCandidate("good-0", EndpointKind.Vfio, "fixture device") { Bdfs = [bdf], VendorDevice = "8086:1520", HostDriver = "igbvf" }], []));
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken) =>
        Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(new AttachmentRequest(Name, candidate.Id, EndpointKind.Vfio)
        {
            PciFunctions = candidate.Bdfs.Select(b => new PciFunctionRequest(b, PlugMode.Auto, null)).ToList(),
        }));
}
