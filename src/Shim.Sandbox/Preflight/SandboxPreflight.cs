using Shim.Abstractions;
using Shim.HostPci;
using Shim.PluginHost.Netlink;
using Shim.PluginHost.Planning;
using Shim.PluginHost.Views;
using Shim.Topology;

namespace Shim.Sandbox.Preflight;

/// <summary>
/// Discover (plugins) → plan (topology) → validate (every rule, host facts included), with no side effect at all:
/// it only reads sysfs, the network namespace and the plugins directory. Both the shim's Create and
/// `kataplug plan` run exactly this, so what the CLI predicts is what the shim does.
/// </summary>
public static class SandboxPreflight
{
    public const string OperatorPluginName = "operator";

    public static async Task<PreflightResult> RunAsync(PreflightRequest request, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var ct = timeout.Token;

        var inventory = PciInventory.Read(request.Sysfs);
        var view = new HostPciInventoryView(inventory, request.Sysfs);
        var problems = new List<string>();
        var notes = new List<string>(inventory.Warnings);
        var attachments = new List<AttachmentRequest>();

        if (request.Plugins is { } catalog)
        {
            ILinkView? links = null;
            try
            {
                if (request.NetnsPath is not null) links = NetlinkLinkView.Open(request.NetnsPath, deadline);
                var input = new SandboxPlanInput(
                    request.SandboxId, AttachPhase.Boot, request.OciSpecJson, request.Configuration.ToDeviceSettings(),
                    view, links, new HostFileView());
                var result = await new EndpointPlanner(catalog, request.Configuration.ToPluginSelection())
                    .PlanAsync(input, ct).ConfigureAwait(false);
                attachments.AddRange(result.Attachments);
                problems.AddRange(result.Problems.Select(p => p.ToString()));
                notes.AddRange(result.Notes);
            }
            finally
            {
                (links as IDisposable)?.Dispose();
            }
        }

        foreach (var bdf in request.ExplicitDevices)
        {
            var text = bdf.ToString();
            var info = view.Find(text);
            attachments.Add(new AttachmentRequest(OperatorPluginName, text, EndpointKind.Vfio)
            {
                PciFunctions = [new PciFunctionRequest(text, Shim.Abstractions.PlugMode.Auto, info?.IommuGroup)],
            });
        }

        var deviceRequests = new List<DeviceRequest>();
        foreach (var attachment in attachments)
        {
            var mapped = DeviceRequestMapping.Map(attachment, inventory, request.Sysfs, problems);
            if (mapped is not null) deviceRequests.Add(mapped);
        }

        var facts = HostFactsMapping.Snapshot(inventory, deviceRequests, request.Configuration.Host.AllowHostDevices.Value);
        var outcome = TopologyPlanner.Plan(request.Configuration.ToTopologySettings(), deviceRequests, facts);
        return new PreflightResult(inventory, attachments, deviceRequests, problems, notes, outcome);
    }
}
