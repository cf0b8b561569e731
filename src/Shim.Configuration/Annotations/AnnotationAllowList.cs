using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Shim.Configuration;

/// <summary>enable_annotations: regular expressions matched against an annotation's suffix the way Kata does
/// (Go: <c>re.FindString(suffix) == suffix</c>, i.e. the leftmost match must be the whole suffix).</summary>
public sealed class AnnotationAllowList
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private readonly ImmutableArray<Regex> _patterns;

    private AnnotationAllowList(ImmutableArray<string> entries, ImmutableArray<Regex> patterns)
    {
        Entries = entries;
        _patterns = patterns;
    }

    public ImmutableArray<string> Entries { get; }

    public static AnnotationAllowList Empty { get; } = new([], []);

    /// <summary>Returns an error for a pattern .NET cannot compile, else null.</summary>
    public static string? ValidatePattern(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not a valid regular expression ({e.Message})";
        }
    }

    /// <summary>Builds the list, skipping patterns that do not compile (they were reported by validation).</summary>
    public static AnnotationAllowList Create(ImmutableArray<string> entries) =>
        new(entries, entries.Where(e => ValidatePattern(e) is null)
            .Select(e => new Regex(e, RegexOptions.CultureInvariant, MatchTimeout)).ToImmutableArray());

    public bool IsAllowed(string suffix)
    {
        foreach (var re in _patterns)
        {
            try
            {
                var m = re.Match(suffix);
                if (m.Success ? m.Index == 0 && m.Length == suffix.Length : suffix.Length == 0) return true;
            }
            catch (RegexMatchTimeoutException)
            {
                // A pathological pattern allows nothing rather than hanging sandbox creation.
            }
        }
        return false;
    }

    /// <summary>The configuration-file annotation needs a literal entry: a pod choosing the runtime's own
    /// configuration was a Kata security advisory, so a catch-all like ".*" must not enable it by accident.</summary>
    public bool AllowsConfigPath => Entries.Contains(KataAnnotations.ConfigPathAllowEntry);
}
