using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shim.PluginHost.Loading;

/// <summary>Every plugin directory found under the plugins directory: loaded ones by name, refused ones with the reason.</summary>
public sealed class PluginCatalog
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        // Reasons contain '<', '>' and quotes; the JSON is for operators and scripts, not for HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public PluginCatalog(string pluginsDirectory, IReadOnlyList<PluginCatalogEntry> entries, IReadOnlyList<LoadedPlugin> loaded, string? directoryProblem = null)
    {
        PluginsDirectory = pluginsDirectory;
        Entries = entries;
        Loaded = loaded.ToDictionary(p => p.Name, StringComparer.Ordinal);
        DirectoryProblem = directoryProblem;
    }

    public string PluginsDirectory { get; }

    /// <summary>Set when the plugins directory itself is missing or unsafe (then nothing was loaded).</summary>
    public string? DirectoryProblem { get; }

    /// <summary>Everything found, in directory-name order.</summary>
    public IReadOnlyList<PluginCatalogEntry> Entries { get; }

    /// <summary>Loaded plugins by their own name.</summary>
    public IReadOnlyDictionary<string, LoadedPlugin> Loaded { get; }

    public IEnumerable<PluginCatalogEntry> Refused => Entries.Where(e => e.Status == PluginStatus.Refused);

    /// <summary>Why the plugin called <paramref name="name"/> is not available (for sandbox errors), or null if it is loaded.</summary>
    public string? WhyUnavailable(string name)
    {
        if (Loaded.ContainsKey(name)) return null;
        if (DirectoryProblem is not null) return DirectoryProblem;
        var sameName = Refused.Where(e => Normalize(e.DirectoryName) == Normalize(name)).Select(e => $"{e.DirectoryName}: {e.Reason}").ToList();
        if (sameName.Count > 0) return string.Join("; ", sameName);
        var others = Refused.Select(e => $"{e.DirectoryName} ({e.Reason})").ToList();
        return $"no loaded plugin is named {name} under {PluginsDirectory} (loaded: {string.Join(", ", Loaded.Keys.Order(StringComparer.Ordinal))}" +
               (others.Count > 0 ? $"; refused: {string.Join("; ", others)})" : ")");
    }

    // "physical-vf" is published as PhysicalVf/: compare names without case and dashes.
    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    public string ToJson() => JsonSerializer.Serialize(new
    {
        PluginsDirectory,
        DirectoryProblem,
        Plugins = Entries,
    }, JsonOptions);
}
