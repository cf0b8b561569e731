namespace Shim.Configuration;

/// <summary>A shell-style glob on interface names: '*' any run, '?' one character, '[abc]' / '[a-z]' / '[!a]' a set.</summary>
public sealed class InterfaceNameGlob : IEquatable<InterfaceNameGlob>
{
    private InterfaceNameGlob(string pattern) => Pattern = pattern;

    public string Pattern { get; }

    /// <summary>Returns null and an explanation when the pattern is malformed (unclosed '[', empty, whitespace or '/').</summary>
    public static InterfaceNameGlob? TryCreate(string pattern, out string? error)
    {
        error = null;
        if (pattern.Length == 0) error = "must not be empty";
        else if (pattern.Any(c => char.IsWhiteSpace(c) || c == '/')) error = "interface names cannot contain whitespace or '/'";
        else
        {
            for (var i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] != '[') continue;
                var close = i + 2 <= pattern.Length ? pattern.IndexOf(']', i + 2) : -1;
                if (close < 0) { error = $"unclosed '[' at character {i + 1}"; break; }
                i = close;
            }
        }
        return error is null ? new InterfaceNameGlob(pattern) : null;
    }

    public bool IsMatch(string name) => Match(Pattern.AsSpan(), name.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (p.Length > 0)
        {
            switch (p[0])
            {
                case '*':
                    for (var k = 0; k <= s.Length; k++)
                        if (Match(p[1..], s[k..])) return true;
                    return false;
                case '?':
                    if (s.Length == 0) return false;
                    p = p[1..]; s = s[1..];
                    break;
                case '[':
                    if (s.Length == 0) return false;
                    var close = p[2..].IndexOf(']') + 2;
                    if (!SetContains(p[1..close], s[0])) return false;
                    p = p[(close + 1)..]; s = s[1..];
                    break;
                default:
                    if (s.Length == 0 || s[0] != p[0]) return false;
                    p = p[1..]; s = s[1..];
                    break;
            }
        }
        return s.Length == 0;
    }

    private static bool SetContains(ReadOnlySpan<char> set, char c)
    {
        var negate = set.Length > 0 && set[0] == '!';
        if (negate) set = set[1..];
        var found = false;
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (c >= set[i] && c <= set[i + 2]) found = true;
                i += 2;
            }
            else if (set[i] == c) found = true;
        }
        return found != negate;
    }

    public bool Equals(InterfaceNameGlob? other) => other is not null && other.Pattern == Pattern;
    public override bool Equals(object? obj) => Equals(obj as InterfaceNameGlob);
    public override int GetHashCode() => Pattern.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Pattern;
}
