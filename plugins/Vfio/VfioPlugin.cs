using Shim.Abstractions;

namespace Kataplug.Plugins.Vfio;

/// <summary>
/// Generic VFIO passthrough: the <c>/dev/vfio/&lt;group&gt;</c> and <c>/dev/vfio/devices/vfioN</c> nodes of the OCI spec
/// and of CDI annotations. The IOMMU group is the unit (W6): every non-bridge member is requested, and the guest side
/// follows <c>vfio_mode</c> (guest-kernel: <c>vfio-pci-gk</c>, node stripped; vfio: <c>vfio-pci</c>, node kept).
/// </summary>
public sealed class VfioPlugin : IEndpointPlugin
{
    public const string PluginName = "vfio";

    public string Name => PluginName;

    public Version Version { get; } = new(1, 0, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Vfio];

    public Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var settings = VfioSettings.From(context.Settings);
        var spec = OciSpecView.Parse(context.OciSpecJson);
        var skipped = new List<string>();
        var requests = spec.Devices.Where(d => VfioDeviceRequest.IsVfioNode(d.Path))
            .Select(d => new VfioDeviceRequest(d.Path, "linux.devices")).ToList();
        var unresolved = new List<EndpointCandidate>();
        if (settings.UseCdiAnnotations)
        {
            var wanted = CdiResolver.Requested(context.Annotations).ToList();
            if (wanted.Count > 0)
            {
                var cdi = CdiResolver.Load(context.Files, settings.CdiSpecDirectories, skipped);
                foreach (var (device, annotation) in wanted)
                {
                    var nodes = cdi.Resolve(device);
                    if (nodes is null)
                        unresolved.Add(new EndpointCandidate($"cdi:{device}", EndpointKind.Vfio, $"CDI device {device} from {annotation}")
                        {
                            PluginState = new VfioGroupCandidate(new VfioDeviceRequest("", annotation), -1, [],
                                $"CDI device {device} (annotation {annotation}) is not declared by any JSON spec in {string.Join(", ", settings.CdiSpecDirectories)}: " +
                                $"install its CDI spec or fix {settings.KeyPrefix}.cdi_spec_dirs"),
                        });
                    else requests.AddRange(nodes.Select(n => new VfioDeviceRequest(n, $"CDI device {device} ({annotation})")));
                }
            }
        }

        var candidates = new List<EndpointCandidate>(unresolved);
        var seenGroups = new HashSet<int>();
        foreach (var request in requests)
        {
            var candidate = ToCandidate(request, context.Pci);
            if (candidate.Group >= 0 && !seenGroups.Add(candidate.Group))
            {
                skipped.Add($"{request.HostPath} from {request.Source}: group {candidate.Group} is already requested");
                continue;
            }
            var primary = candidate.Functions.FirstOrDefault();
            candidates.Add(new EndpointCandidate(candidate.Group >= 0 ? $"vfio-group-{candidate.Group}" : request.HostPath, EndpointKind.Vfio,
                $"{request.HostPath} from {request.Source}: {string.Join(", ", candidate.Functions.Select(f => $"{f.Bdf} ({f.VendorDevice}, {f.Driver ?? "no driver"})"))}")
            {
                Bdfs = candidate.Functions.Select(f => f.Bdf).ToList(),
                VendorDevice = primary?.VendorDevice,
                HostDriver = primary?.Driver,
                PluginState = candidate,
            });
        }
        return Task.FromResult(new DiscoveryResult(candidates, skipped));
    }

    private static VfioGroupCandidate ToCandidate(VfioDeviceRequest request, IPciInventoryView pci)
    {
        int group;
        if (request.Cdev is { } cdev)
        {
            var fn = pci.FindByVfioCdev(cdev);
            if (fn?.IommuGroup is not int g)
                return new VfioGroupCandidate(request, -1, [],
                    $"{request.HostPath} (from {request.Source}) does not lead to a PCI function in an IOMMU group on this host: is the device bound to vfio-pci with IOMMUFD?");
            group = g;
        }
        else if (request.Group is int g) group = g;
        else
            return new VfioGroupCandidate(request, -1, [], $"{request.HostPath} (from {request.Source}) is neither /dev/vfio/<group> nor /dev/vfio/devices/vfio<N>");

        var members = pci.GetIommuGroup(group);
        // Bridges stay with the host (exact classes 0x0600/0x0604, as Kata); everything else in the group goes together.
        var functions = members.Where(m => !m.IsBridge).ToList();
        if (functions.Count == 0)
            return new VfioGroupCandidate(request, group, [],
                members.Count == 0
                    ? $"IOMMU group {group} ({request.HostPath}, from {request.Source}) does not exist on this host: is the IOMMU enabled and the device present?"
                    : $"IOMMU group {group} ({request.HostPath}, from {request.Source}) holds only bridges ({string.Join(", ", members.Select(m => m.Bdf))}): nothing to pass through");
        return new VfioGroupCandidate(request, group, functions, null);
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken)
    {
        var state = candidate.PluginState as VfioGroupCandidate
                    ?? throw new ArgumentException($"candidate {candidate.Id} was not discovered by {PluginName}", nameof(candidate));
        if (state.Problem is not null) return Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(state.Problem, null));
        var devices = context.Devices;
        var who = $"VFIO group {state.Group} ({string.Join(", ", state.Functions.Select(f => f.Bdf))})";
        var ports = Math.Max(1, state.Functions.Count(f => f.IsPcie));
        PlugMode mode;
        if (context.Phase == AttachPhase.Running)
        {
            if (devices.HotPlugVfio == PciPortType.NoPort)
                return Fail($"hot_plug_vfio = \"no-port\": {who} is requested for a running sandbox and can only be hot-plugged — set hot_plug_vfio = \"root-port\" (and pcie_root_port >= {ports})", "hot_plug_vfio");
            mode = PlugMode.Hot;
        }
        else if (devices.ColdPlugVfio != PciPortType.NoPort) mode = PlugMode.Cold;
        else if (devices.HotPlugVfio != PciPortType.NoPort) mode = PlugMode.Hot;
        else
            return Fail($"cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": {who} from {state.Request.Source} cannot be attached — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= {ports})", "cold_plug_vfio");

        var bdfs = state.Functions.Select(f => f.Bdf).ToList();
        var request = new AttachmentRequest(PluginName, candidate.Id, EndpointKind.Vfio)
        {
            PciFunctions = state.Functions.Select(f => new PciFunctionRequest(f.Bdf, mode, state.Group)).ToList(),
            ContainerDevices = [new ContainerVfioDevice(state.Request.HostPath, state.Group, devices.VfioMode, bdfs, devices.VfioMode == VfioMode.GuestKernel)],
        };
        return Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(request));
    }

    private static Task<PlanOutcome> Fail(string message, string key) => Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(message, key));
}
