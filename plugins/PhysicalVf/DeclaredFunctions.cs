using System.Text.Json;
using Shim.Abstractions;

namespace Kataplug.Plugins.PhysicalVf;

/// <summary>
/// Which interface is which VF, according to the orchestrator: Multus <c>k8s.v1.cni.cncf.io/network-status</c>
/// (interface → <c>device-info.pci.pci-address</c>) and the SR-IOV device plugin's <c>PCIDEVICE_*</c> variables
/// (the BDFs allocated to the pod). These are the source of truth; netdev heuristics only confirm them.
/// </summary>
internal sealed class DeclaredFunctions
{
    public const string NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status";

    public Dictionary<string, string> BdfByInterface { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> SourceByBdf { get; } = new(StringComparer.Ordinal);

    public static DeclaredFunctions From(PluginContext context, PhysicalVfSettings settings, List<string> skipped)
    {
        var declared = new DeclaredFunctions();
        if (settings.UseNetworkStatus && context.Annotations.TryGetValue(NetworkStatusAnnotation, out var status))
            declared.ReadNetworkStatus(status, skipped);
        if (settings.UseDevicePluginEnv)
        {
            foreach (var (name, value) in OciSpecView.Parse(context.OciSpecJson).EnvironmentVariables())
            {
                if (!name.StartsWith("PCIDEVICE_", StringComparison.Ordinal)) continue;
                foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (PciAddressText.TryNormalize(item, out var bdf)) declared.SourceByBdf.TryAdd(bdf, $"env {name}");
                    else skipped.Add($"env {name} entry \"{item}\": not a PCI address");
                }
            }
        }
        return declared;
    }

    private void ReadNetworkStatus(string json, List<string> skipped)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            // Malformed annotations come from outside the node admin's control: report and carry on with the env.
            skipped.Add($"annotation {NetworkStatusAnnotation}: not valid JSON ({e.Message})");
            return;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                skipped.Add($"annotation {NetworkStatusAnnotation}: expected a JSON list");
                return;
            }
            foreach (var network in doc.RootElement.EnumerateArray())
            {
                if (network.ValueKind != JsonValueKind.Object) continue;
                var iface = network.TryGetProperty("interface", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                if (iface is null || !network.TryGetProperty("device-info", out var info) || info.ValueKind != JsonValueKind.Object) continue;
                if (!info.TryGetProperty("type", out var type) || type.GetString() != "pci") continue;
                var address = info.TryGetProperty("pci", out var pci) && pci.ValueKind == JsonValueKind.Object &&
                              pci.TryGetProperty("pci-address", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                if (!PciAddressText.TryNormalize(address, out var bdf))
                {
                    skipped.Add($"annotation {NetworkStatusAnnotation}: {iface} has pci-address \"{address}\", not a PCI address");
                    continue;
                }
                BdfByInterface[iface] = bdf;
                SourceByBdf[bdf] = $"annotation {NetworkStatusAnnotation} ({iface})";
            }
        }
    }
}
