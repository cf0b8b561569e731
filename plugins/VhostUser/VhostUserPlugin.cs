using Shim.Abstractions;

namespace Kataplug.Plugins.VhostUser;

/// <summary>
/// vhost-user NICs (OVS-DPDK, VPP) declared explicitly (settings or annotation) or found through Kata's
/// <c>vhostuser_&lt;IP&gt;/vhu.sock</c> convention. Unlike Kata (W13): the chardev reconnects after a backend restart,
/// the socket is checked to exist and be a socket, guest memory must be shared, and hot plug is refused up front.
/// </summary>
public sealed class VhostUserPlugin : IEndpointPlugin
{
    public const string PluginName = "vhost-user";

    public string Name => PluginName;

    public Version Version { get; } = new(1, 0, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.VhostUser];

    public async Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var settings = VhostUserSettings.From(context.Settings);
        var skipped = new List<string>();
        var links = context.Links is null ? [] : await context.Links.GetLinksAsync(cancellationToken).ConfigureAwait(false);
        var declarations = new Dictionary<string, VhostUserDeclaration>(StringComparer.Ordinal);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in settings.Sockets) declarations[d.Interface] = d;
        foreach (var (key, value) in context.Annotations.Where(a => a.Key.StartsWith(VhostUserDeclaration.AnnotationPrefix, StringComparison.Ordinal)).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var (declaration, problem) = VhostUserDeclaration.FromAnnotation(key, value, settings.Queues);
            if (declaration is not null) declarations[declaration.Interface] = declaration; // the pod's word beats the node default
            else problems[key] = problem!;
        }
        if (settings.KataSocketConvention)
        {
            foreach (var link in links.Where(l => !l.IsLoopback && !declarations.ContainsKey(l.Name)))
                foreach (var address in link.Addresses)
                {
                    var socket = Path.Combine(settings.KataSocketDirectory, $"vhostuser_{address.Address}", "vhu.sock");
                    if (context.Files.GetKind(socket) != HostFileKind.Socket) continue;
                    declarations[link.Name] = new VhostUserDeclaration(link.Name, socket, null, settings.Queues, $"Kata convention ({socket})");
                    break;
                }
        }

        var candidates = new List<EndpointCandidate>();
        foreach (var (key, problem) in problems)
            candidates.Add(new EndpointCandidate(key, EndpointKind.VhostUser, problem) { PluginState = new VhostUserCandidate(new VhostUserDeclaration("", "", null, 1, key), null, problem) });
        foreach (var d in declarations.Values.OrderBy(d => d.Interface, StringComparer.Ordinal))
        {
            var link = links.FirstOrDefault(l => l.Name == d.Interface);
            candidates.Add(new EndpointCandidate(d.Interface, EndpointKind.VhostUser, $"{d.Interface} → vhost-user {d.Socket} ({d.Source})")
            {
                InterfaceName = d.Interface,
                PluginState = new VhostUserCandidate(d, link, null),
            });
        }
        return new DiscoveryResult(candidates, skipped);
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken)
    {
        var settings = VhostUserSettings.From(context.Settings);
        var state = candidate.PluginState as VhostUserCandidate
                    ?? throw new ArgumentException($"candidate {candidate.Id} was not discovered by {PluginName}", nameof(candidate));
        if (state.Problem is not null) return Fail(state.Problem, null);
        var d = state.Declaration;
        var who = $"vhost-user {d.Interface} ({d.Socket}, from {d.Source})";
        if (context.Phase == AttachPhase.Running)
            return Fail($"{who}: vhost-user NICs are attached at boot only; declare it before the sandbox starts (hot plug is not supported)", null);
        if (!context.Devices.GuestMemoryShared)
            return Fail($"{who}: guest memory is not shared, so the backend could not reach the virtqueues — enable a shared file-backed memory backend (enable_hugepages = true, or file_mem_backend with shared memory)", "enable_hugepages");
        var kind = context.Files.GetKind(d.Socket);
        if (kind != HostFileKind.Socket)
            return Fail(kind == HostFileKind.Missing
                ? $"{who}: {d.Socket} does not exist — start the vhost-user backend (OVS-DPDK, VPP) before the pod, or fix the path"
                : $"{who}: {d.Socket} is a {kind.ToString().ToLowerInvariant()}, not a UNIX socket — point it at the backend's vhost-user socket", null);
        var macText = d.Mac ?? state.Link?.Mac;
        if (macText is null)
            return Fail($"{who}: no MAC address — add mac=<aa:bb:cc:dd:ee:ff> to the declaration (there is no {d.Interface} link in the pod network namespace to take it from)", null);
        var mac = MacAddressText.Normalize(macText);
        if (mac is null) return Fail($"{who}: \"{macText}\" is not a MAC address: write it as 02:00:00:00:00:01", null);

        var guest = state.Link is not null
            ? GuestNetworkFromLink.Build(state.Link, "vhost-user", mac)
            : new GuestInterface(d.Interface, mac, 1500, [], [], [], 0, "vhost-user");
        var request = new AttachmentRequest(PluginName, candidate.Id, EndpointKind.VhostUser)
        {
            VhostUser = new VhostUserNetRequest(d.Socket, settings.ReconnectSeconds, mac, d.Queues),
            GuestInterface = guest,
        };
        return Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(request));
    }

    private static Task<PlanOutcome> Fail(string message, string? key) => Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(message, key));
}
