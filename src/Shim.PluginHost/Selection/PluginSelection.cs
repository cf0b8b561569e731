namespace Shim.PluginHost.Selection;

/// <summary>
/// Which plugins run for a sandbox, in what order, with which rules and settings (mapped from the configuration's
/// <c>[plugins]</c> section). The order decides conflicts: the first plugin that plans a BDF or an interface owns it.
/// </summary>
/// <param name="EnabledInOrder">Plugin names, in priority order.</param>
/// <param name="Rules">Include/exclude rules, evaluated per plugin in list order.</param>
public sealed record PluginSelection(IReadOnlyList<string> EnabledInOrder, IReadOnlyList<PluginMatchRule> Rules)
{
    /// <summary>Plugins the sandbox cannot do without: if one is unavailable or its discovery throws, planning fails.</summary>
    public IReadOnlySet<string> Required { get; init; } = new HashSet<string>();

    /// <summary>Each plugin's own settings table (<c>[plugins.&lt;name&gt;]</c>) as plain values.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object>> Settings { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, object>>();

    /// <summary>Deadline for each plugin call (discovery or one plan).</summary>
    public TimeSpan CallDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The configuration key prefix of a plugin's settings table, for messages.</summary>
    public static string SettingsKeyPrefix(string plugin) => $"plugins.settings.{plugin}";

    /// <summary>
    /// Null when the candidate is taken, otherwise why the rules leave it out. The plugin's rules are read in order and
    /// the first that matches decides (include or exclude). When none matches, a plugin with at least one include rule
    /// does not take the candidate (explicit opt-in); a plugin with only exclude rules, or none, does.
    /// </summary>
    public string? Excludes(string plugin, Shim.Abstractions.EndpointCandidate candidate, IReadOnlyDictionary<string, string> annotations)
    {
        var rules = Rules.Where(r => r.AppliesTo(plugin)).ToList();
        var first = rules.FirstOrDefault(r => r.Matches(candidate, annotations));
        if (first is not null) return first.Action == MatchAction.Exclude ? $"excluded by {first.Source}" : null;
        var includes = rules.Where(r => r.Action == MatchAction.Include).ToList();
        return includes.Count > 0
            ? $"matches none of the include rules ({string.Join(", ", includes.Select(r => r.Source))}): add one to take it"
            : null;
    }
}
