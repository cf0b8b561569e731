using System.Text.Json;

namespace Shim.Containerd.Lifecycle;

/// <summary>What the shim needs from the bundle's OCI <c>config.json</c>: annotations and the root path.</summary>
public sealed record BundleSpec(IReadOnlyDictionary<string, string> Annotations, string? RootPath)
{
    public const string ContainerTypeAnnotation = "io.kubernetes.cri.container-type";
    public const string SandboxIdAnnotation = "io.kubernetes.cri.sandbox-id";

    public static BundleSpec Empty { get; } = new(new Dictionary<string, string>(), null);

    /// <summary>
    /// The sandbox whose daemon serves <paramref name="taskId"/>: the CRI sandbox id when this is a pod
    /// container of another sandbox, else the task itself (a sandbox or a standalone container, §13).
    /// </summary>
    public string DaemonOwnerId(string taskId) =>
        Annotations.TryGetValue(SandboxIdAnnotation, out var sandbox) && sandbox.Length > 0 && sandbox != taskId
        && (!Annotations.TryGetValue(ContainerTypeAnnotation, out var type) || type == "container")
            ? sandbox
            : taskId;

    /// <summary>Reads <c>&lt;bundle&gt;/config.json</c>; a missing file gives <see cref="Empty"/> (delete must cope).</summary>
    /// <exception cref="InvalidDataException">the file exists but is not a JSON object.</exception>
    public static BundleSpec Load(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, "config.json");
        if (!File.Exists(path))
        {
            return Empty;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in a.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        annotations[property.Name] = property.Value.GetString()!;
                    }
                }
            }
            string? rootPath = null;
            if (root.TryGetProperty("root", out var r) && r.ValueKind == JsonValueKind.Object
                && r.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String)
            {
                rootPath = p.GetString();
            }
            return new BundleSpec(annotations, rootPath);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a valid OCI spec ({ex.Message}); containerd writes it, check the bundle", ex);
        }
    }
}
