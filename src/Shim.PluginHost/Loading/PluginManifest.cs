using System.Text.Json;

namespace Shim.PluginHost.Loading;

/// <summary>
/// Optional <c>plugin.json</c> in a plugin directory: <c>{"assembly": "Vendor.Plugin.dll"}</c>, for plugins whose
/// entry assembly is not named after the directory.
/// </summary>
internal static class PluginManifest
{
    public const string FileName = "plugin.json";

    /// <summary>The entry assembly path, or the reason the directory has none.</summary>
    public static (string? AssemblyPath, PluginRefusal Refusal, string? Problem) FindEntryAssembly(string pluginDirectory, string directoryName)
    {
        var manifest = Path.Combine(pluginDirectory, FileName);
        if (File.Exists(manifest))
        {
            string? assembly;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(manifest));
                assembly = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("assembly", out var a) &&
                           a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            }
            catch (JsonException e)
            {
                return (null, PluginRefusal.BadManifest, $"{manifest} is not valid JSON: {e.Message}");
            }
            if (string.IsNullOrEmpty(assembly) || assembly != Path.GetFileName(assembly) || !assembly.EndsWith(".dll", StringComparison.Ordinal))
                return (null, PluginRefusal.BadManifest, $"{manifest} must name the entry assembly as a plain file name: {{\"assembly\": \"{directoryName}.dll\"}}");
            var path = Path.Combine(pluginDirectory, assembly);
            return File.Exists(path) ? (path, PluginRefusal.None, null) : (null, PluginRefusal.NoEntryAssembly, $"{manifest} names {assembly}, which does not exist");
        }
        var conventional = Path.Combine(pluginDirectory, directoryName + ".dll");
        return File.Exists(conventional)
            ? (conventional, PluginRefusal.None, null)
            : (null, PluginRefusal.NoEntryAssembly, $"{pluginDirectory} has neither {directoryName}.dll nor {FileName}");
    }
}
