using System.Text.Json;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// What the pipeline reads from the bundle's OCI <c>config.json</c> beyond annotations: the whole document (plugins
/// read it) and the network namespace the pod's interfaces live in (<c>linux.namespaces[type=network].path</c>,
/// what <c>ctr run --with-ns network:/var/run/netns/x</c> and the CRI set).
/// </summary>
/// <param name="Json">The spec text, "{}" when the bundle has none.</param>
/// <param name="NetworkNamespacePath">The pod's netns path, or null when the spec names none (no discovery of netdevs).</param>
public sealed record OciSandboxSpec(string Json, string? NetworkNamespacePath)
{
    public static OciSandboxSpec Empty { get; } = new("{}", null);

    /// <exception cref="InvalidDataException">config.json exists but is not a JSON object.</exception>
    public static OciSandboxSpec Load(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, "config.json");
        if (!File.Exists(path)) return Empty;
        var text = File.ReadAllText(path);
        try
        {
            using var document = JsonDocument.Parse(text);
            return new OciSandboxSpec(text, NetworkNamespace(document.RootElement));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a valid OCI spec ({ex.Message}); containerd writes it, check the bundle", ex);
        }
    }

    private static string? NetworkNamespace(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("linux", out var linux) || linux.ValueKind != JsonValueKind.Object
            || !linux.TryGetProperty("namespaces", out var namespaces) || namespaces.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        foreach (var ns in namespaces.EnumerateArray())
        {
            if (ns.ValueKind == JsonValueKind.Object
                && ns.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "network"
                && ns.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } nsPath)
            {
                return nsPath;
            }
        }
        return null; // a network namespace without a path is a fresh, empty one: nothing to discover in it
    }
}
