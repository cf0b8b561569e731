using System.Collections.Immutable;
using Shim.Toml;

namespace Shim.Configuration;

/// <summary>[plugins] (kataplug extension): which endpoint plugins run, from where, with what settings and rules.</summary>
/// <param name="Enabled">Plugin names in the order the host consults them.</param>
/// <param name="Directory">Where plugin assemblies are loaded from.</param>
/// <param name="Settings">[plugins.settings.&lt;name&gt;] tables, handed raw to the named plugin.</param>
/// <param name="Rules">[[plugins.rule]] entries in file order.</param>
public sealed record PluginSettings(
    Setting<ImmutableArray<string>> Enabled,
    Setting<string> Directory,
    ImmutableDictionary<string, PluginSettingsTable> Settings,
    ImmutableArray<PluginRule> Rules)
{
    public bool IsEnabled(string plugin) => Enabled.Value.Contains(plugin);

    /// <summary>The raw settings table for a plugin, or null when the file has none.</summary>
    public TomlTable? SettingsFor(string plugin) => Settings.TryGetValue(plugin, out var t) ? t.Table : null;

    /// <summary>The rules that name <paramref name="plugin"/>, in file order.</summary>
    public ImmutableArray<PluginRule> RulesFor(string plugin) => Rules.Where(r => r.Plugin == plugin).ToImmutableArray();
}

/// <summary>A [plugins.settings.&lt;name&gt;] table with the file it came from (so the plugin can report file:line:col).</summary>
public sealed record PluginSettingsTable(string Plugin, TomlTable Table, string SourceName, ValueOrigin Origin);
