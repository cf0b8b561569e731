using Shim.Abstractions;

namespace Shim.PluginHost.Selection;

public enum MatchAction
{
    Include,
    Exclude,
}

/// <summary>
/// One include/exclude rule for a plugin's candidates (a <c>[[plugins.rule]]</c>). Every criterion given must match
/// (AND); a rule with none matches everything. Globs use <c>*</c>, <c>?</c> and <c>[...]</c>.
/// </summary>
/// <param name="Plugin">The plugin's name (e.g. <c>physical-vf</c>), or <c>*</c> for all plugins.</param>
/// <param name="Source">Where the rule came from, for messages (e.g. <c>[[plugins.rule]] #3 (kataplug.toml:40:1)</c>).</param>
public sealed record PluginMatchRule(string Plugin, MatchAction Action, string Source)
{
    /// <summary>Interface name glob, e.g. <c>net*</c>.</summary>
    public string? InterfaceGlob { get; init; }

    /// <summary><c>vvvv:dddd</c> (lower-case hex; <c>15b3:*</c> allowed).</summary>
    public string? VendorDevice { get; init; }

    /// <summary>Host driver glob, e.g. <c>mlx5_core</c>.</summary>
    public string? HostDriver { get; init; }

    /// <summary><c>key=value</c> (exact) or <c>key</c> (present) on the sandbox annotations.</summary>
    public string? Annotation { get; init; }

    public bool AppliesTo(string plugin) => Plugin == "*" || Plugin == plugin;

    public bool Matches(EndpointCandidate candidate, IReadOnlyDictionary<string, string> annotations)
    {
        if (InterfaceGlob is not null && (candidate.InterfaceName is null || !NameGlob.Matches(InterfaceGlob, candidate.InterfaceName))) return false;
        if (VendorDevice is not null && (candidate.VendorDevice is null || !NameGlob.Matches(VendorDevice.ToLowerInvariant(), candidate.VendorDevice))) return false;
        if (HostDriver is not null && (candidate.HostDriver is null || !NameGlob.Matches(HostDriver, candidate.HostDriver))) return false;
        if (Annotation is not null)
        {
            var eq = Annotation.IndexOf('=');
            if (eq < 0) return annotations.ContainsKey(Annotation);
            return annotations.TryGetValue(Annotation[..eq], out var v) && v == Annotation[(eq + 1)..];
        }
        return true;
    }
}
