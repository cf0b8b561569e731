using Shim.Abstractions;

namespace Kataplug.Plugins.PhysicalVf;

/// <summary>
/// SR-IOV VFs (and whole NICs when allowed) in the pod network namespace, passed through with VFIO. Unlike Kata, it
/// takes only interfaces the orchestrator declared (Multus network-status, device-plugin PCIDEVICE_*) or the
/// configuration includes, and refuses paravirtual NICs (W14).
/// </summary>
public sealed class PhysicalVfPlugin : IEndpointPlugin
{
    public const string PluginName = "physical-vf";

    public string Name => PluginName;

    public Version Version { get; } = new(1, 0, 0);

    public IReadOnlyList<EndpointKind> Kinds { get; } = [EndpointKind.Physical];

    public async Task<DiscoveryResult> DiscoverAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var settings = PhysicalVfSettings.From(context.Settings);
        if (context.Links is null) return new DiscoveryResult([], ["the sandbox has no network namespace"]);
        var skipped = new List<string>();
        var declared = DeclaredFunctions.From(context, settings, skipped);
        var links = await context.Links.GetLinksAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<EndpointCandidate>();
        foreach (var link in links)
        {
            if (link.IsLoopback) continue;
            var candidate = Classify(link, context, settings, declared, skipped);
            if (candidate is null) continue;
            var fn = candidate.Function;
            candidates.Add(new EndpointCandidate(link.Name, EndpointKind.Physical,
                $"{link.Name} → {candidate.Bdf} ({Describe(fn)}) declared by {candidate.Source}")
            {
                InterfaceName = link.Name,
                Bdfs = [candidate.Bdf],
                VendorDevice = fn?.VendorDevice,
                HostDriver = fn?.Driver,
                PluginState = candidate,
            });
        }
        foreach (var (iface, bdf) in declared.BdfByInterface)
            if (!links.Any(l => l.Name == iface))
                skipped.Add($"{iface} ({bdf}) from {DeclaredFunctions.NetworkStatusAnnotation}: no such interface in the pod network namespace");
        return new DiscoveryResult(candidates, skipped);
    }

    private static PhysicalCandidate? Classify(LinkInfo link, PluginContext context, PhysicalVfSettings settings, DeclaredFunctions declared, List<string> skipped)
    {
        var (bdf, whyNot) = LinkPciParent.Resolve(link, settings.AllowEmulated);
        if (declared.BdfByInterface.TryGetValue(link.Name, out var declaredBdf))
        {
            if (bdf is not null && bdf != declaredBdf)
                return new PhysicalCandidate(link, declaredBdf, context.Pci.Find(declaredBdf), declared.SourceByBdf[declaredBdf],
                    $"{DeclaredFunctions.NetworkStatusAnnotation} says {link.Name} is {declaredBdf}, but in the pod network namespace it is backed by {bdf}: " +
                    "the CNI and the device plugin disagree; recreate the pod", null);
            if (bdf is null && link.ParentBusName is not null && !settings.AllowEmulated)
                return new PhysicalCandidate(link, declaredBdf, context.Pci.Find(declaredBdf), declared.SourceByBdf[declaredBdf],
                    $"{DeclaredFunctions.NetworkStatusAnnotation} says {link.Name} is {declaredBdf}, but {whyNot}", null);
            bdf ??= declaredBdf;
        }
        if (bdf is null)
        {
            skipped.Add($"{link.Name}: {whyNot}");
            return null;
        }
        var fn = context.Pci.Find(bdf);
        var source = declared.SourceByBdf.GetValueOrDefault(bdf);
        var include = fn is null ? null : settings.Include.FirstOrDefault(r => r.Matches(link.Name, fn));
        if (source is null && include is null)
        {
            skipped.Add($"{link.Name} ({bdf}): not declared by {DeclaredFunctions.NetworkStatusAnnotation}, a PCIDEVICE_* variable or " +
                        $"{settings.KeyPrefix}.include, so it is left alone");
            return null;
        }
        var exclude = fn is null ? null : settings.Exclude.FirstOrDefault(r => r.Matches(link.Name, fn));
        if (exclude is not null)
        {
            skipped.Add($"{link.Name} ({bdf}): excluded by {exclude.Source}");
            return null;
        }
        source ??= include!.Source;
        var (problem, key) = Check(link, bdf, fn, settings);
        return new PhysicalCandidate(link, bdf, fn, source, problem, key);
    }

    private static (string? Problem, string? Key) Check(LinkInfo link, string bdf, PciFunctionInfo? fn, PhysicalVfSettings settings)
    {
        var who = $"{link.Name} ({bdf})";
        if (fn is null) return ($"{who} is not a PCI function on this host (no /sys/bus/pci/devices/{bdf})", null);
        if (!fn.IsNetworkController)
            return ($"{who} has PCI class 0x{fn.ClassCode:x6}, not a network controller (0x02xxxx): use the vfio plugin for other devices", null);
        if (!settings.AllowEmulated && fn.Driver is "virtio-pci")
            return ($"{who} is an emulated virtio NIC (driver virtio-pci); to pass it through anyway set {settings.KeyPrefix}.allow_emulated = true",
                settings.KeyPrefix + ".allow_emulated");
        if (!fn.IsVirtualFunction && !settings.AcceptPhysicalFunctions)
            return ($"{who} is a physical function (a whole NIC, no physfn), and moving it takes the port away from the host; " +
                    $"to allow it set {settings.KeyPrefix}.accept_physical_functions = true",
                settings.KeyPrefix + ".accept_physical_functions");
        if (link.Mac is null) return ($"{who} has no MAC address in the pod network namespace: the CNI should have set one", null);
        return (null, null);
    }

    public Task<PlanOutcome> PlanAsync(PluginContext context, EndpointCandidate candidate, CancellationToken cancellationToken)
    {
        var settings = PhysicalVfSettings.From(context.Settings);
        var state = candidate.PluginState as PhysicalCandidate
                    ?? throw new ArgumentException($"candidate {candidate.Id} was not discovered by {PluginName}", nameof(candidate));
        if (state.Problem is not null) return Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(state.Problem, state.ProblemKey));
        var who = $"{state.Link.Name} ({state.Bdf})";
        var devices = context.Devices;
        PlugMode mode;
        if (context.Phase == AttachPhase.Running)
        {
            if (devices.HotPlugVfio == PciPortType.NoPort)
                return Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(
                    $"hot_plug_vfio = \"no-port\": {who} appeared after the sandbox started and can only be hot-plugged — set hot_plug_vfio = \"root-port\" (and pcie_root_port >= 1)",
                    "hot_plug_vfio"));
            mode = PlugMode.Hot;
        }
        else if (devices.ColdPlugVfio != PciPortType.NoPort) mode = PlugMode.Cold;
        else if (devices.HotPlugVfio != PciPortType.NoPort) mode = PlugMode.Hot;
        else if (settings.LeaveWhenNoPort)
            return Task.FromResult<PlanOutcome>(new PlanOutcome.Leave(
                $"cold_plug_vfio and hot_plug_vfio are \"no-port\" and {settings.KeyPrefix}.on_no_port = \"leave\""));
        else
            return Task.FromResult<PlanOutcome>(new PlanOutcome.Fail(
                $"cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": {who} can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)",
                "cold_plug_vfio"));

        var fn = state.Function!;
        var guest = GuestNetworkFromLink.Build(state.Link, "physical");
        var actions = new List<HostAction>();
        if (settings.SetAdminMac && fn.PhysFn is not null)
            actions.Add(new SetVfAdministrativeMac(state.Bdf, fn.PhysFn, fn.VfIndex, guest.Mac));
        // guest-kernel mode: Kata synthesises a vfio-pci-gk entry so the agent exposes RDMA/InfiniBand nodes.
        IReadOnlyList<ContainerVfioDevice> containerDevices = fn.IommuGroup is int group && devices.VfioMode == VfioMode.GuestKernel
            ? [new ContainerVfioDevice($"/dev/vfio/{group}", group, VfioMode.GuestKernel, [state.Bdf], RemoveFromContainerSpec: true)]
            : [];
        var request = new AttachmentRequest(PluginName, candidate.Id, EndpointKind.Physical)
        {
            PciFunctions = [new PciFunctionRequest(state.Bdf, mode, fn.IommuGroup)],
            GuestInterface = guest,
            HostActions = actions,
            ContainerDevices = containerDevices,
        };
        return Task.FromResult<PlanOutcome>(new PlanOutcome.Attach(request));
    }

    private static string Describe(PciFunctionInfo? fn) => fn is null
        ? "not on this host"
        : $"{fn.VendorDevice}, driver {fn.Driver ?? "none"}, {(fn.IsVirtualFunction ? $"VF {fn.VfIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} of {fn.PhysFn}" : "PF")}";
}
