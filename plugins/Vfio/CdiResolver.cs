using System.Text.Json;
using Shim.Abstractions;

namespace Kataplug.Plugins.Vfio;

/// <summary>
/// Resolves CDI device names from <c>cdi.k8s.io/*</c> annotations (<c>vendor.com/class=name</c>, comma-separated)
/// to the VFIO nodes their spec files inject. Spec files are read through the host's read-only file view; JSON
/// specs are supported (YAML specs are reported, not guessed at).
/// </summary>
internal sealed class CdiResolver
{
    public const string AnnotationPrefix = "cdi.k8s.io/";
    private readonly Dictionary<string, List<string>> _nodesByDevice = new(StringComparer.Ordinal);

    public static CdiResolver Load(IHostFileView files, IEnumerable<string> directories, List<string> skipped)
    {
        var resolver = new CdiResolver();
        foreach (var dir in directories)
            foreach (var file in files.ListDirectory(dir))
            {
                if (file.EndsWith(".json", StringComparison.Ordinal)) resolver.Read(files, file, skipped);
                else if (file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal))
                    skipped.Add($"CDI spec {file}: YAML specs are not read; generate the spec as JSON (e.g. nvidia-ctk cdi generate --format=json)");
            }
        return resolver;
    }

    private void Read(IHostFileView files, string file, List<string> skipped)
    {
        try
        {
            using var doc = JsonDocument.Parse(files.ReadText(file) ?? "{}");
            var root = doc.RootElement;
            var kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (kind is null || !root.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array) return;
            var common = VfioNodes(root);
            foreach (var device in devices.EnumerateArray())
            {
                if (!device.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String) continue;
                var nodes = VfioNodes(device);
                nodes.AddRange(common);
                _nodesByDevice[$"{kind}={n.GetString()}"] = nodes;
            }
        }
        catch (JsonException e)
        {
            skipped.Add($"CDI spec {file}: not valid JSON ({e.Message})");
        }
    }

    private static List<string> VfioNodes(JsonElement owner)
    {
        var nodes = new List<string>();
        if (!owner.TryGetProperty("containerEdits", out var edits) || edits.ValueKind != JsonValueKind.Object ||
            !edits.TryGetProperty("deviceNodes", out var deviceNodes) || deviceNodes.ValueKind != JsonValueKind.Array) return nodes;
        foreach (var node in deviceNodes.EnumerateArray())
        {
            var host = node.TryGetProperty("hostPath", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()
                : node.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (host is not null && VfioDeviceRequest.IsVfioNode(host)) nodes.Add(host);
        }
        return nodes;
    }

    /// <summary>The VFIO nodes of a qualified CDI device name, or null when no spec declares it.</summary>
    public IReadOnlyList<string>? Resolve(string qualifiedName) => _nodesByDevice.TryGetValue(qualifiedName, out var nodes) ? nodes : null;

    /// <summary>Every device name requested by <c>cdi.k8s.io/*</c> annotations, with the annotation key.</summary>
    public static IEnumerable<(string Device, string Annotation)> Requested(IReadOnlyDictionary<string, string> annotations) =>
        annotations.Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .SelectMany(a => a.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => (d, a.Key)));
}
