using System.Text.Json;

namespace Shim.Abstractions;

/// <summary>A <c>linux.devices</c> entry of an OCI spec.</summary>
public sealed record OciDevice(string Path, string Type, long? Major, long? Minor);

/// <summary>The few parts of an OCI runtime spec endpoint plugins read: annotations, process env, linux.devices.</summary>
public sealed record OciSpecView(
    IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyList<string> Env,
    IReadOnlyList<OciDevice> Devices)
{
    public static OciSpecView Empty { get; } = new(new Dictionary<string, string>(), [], []);

    /// <summary>Parses config.json text; an empty string is an empty spec. Malformed JSON throws <see cref="FormatException"/>.</summary>
    public static OciSpecView Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Empty;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("annotations", out var ann) && ann.ValueKind == JsonValueKind.Object)
                foreach (var p in ann.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.String) annotations[p.Name] = p.Value.GetString()!;
            var env = new List<string>();
            if (root.TryGetProperty("process", out var process) && process.ValueKind == JsonValueKind.Object &&
                process.TryGetProperty("env", out var envs) && envs.ValueKind == JsonValueKind.Array)
                env.AddRange(envs.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            var devices = new List<OciDevice>();
            if (root.TryGetProperty("linux", out var linux) && linux.ValueKind == JsonValueKind.Object &&
                linux.TryGetProperty("devices", out var devs) && devs.ValueKind == JsonValueKind.Array)
                foreach (var d in devs.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Object || !d.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String) continue;
                    devices.Add(new OciDevice(
                        path.GetString()!,
                        d.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "",
                        d.TryGetProperty("major", out var ma) && ma.ValueKind == JsonValueKind.Number ? ma.GetInt64() : null,
                        d.TryGetProperty("minor", out var mi) && mi.ValueKind == JsonValueKind.Number ? mi.GetInt64() : null));
                }
            return new OciSpecView(annotations, env, devices);
        }
        catch (JsonException e)
        {
            throw new FormatException($"the OCI spec is not valid JSON ({e.Message}): check the bundle's config.json", e);
        }
    }

    /// <summary>Environment variables as name → value (the last definition wins, as execve sees it).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in Env)
        {
            var eq = e.IndexOf('=');
            if (eq > 0) result[e[..eq]] = e[(eq + 1)..];
        }
        return result;
    }
}
