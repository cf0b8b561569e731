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

    // One glob dialect for the whole product: the plugin host matches rules with the same code.
    public bool IsMatch(string name) => Shim.Abstractions.NameGlob.Matches(Pattern, name);

    public bool Equals(InterfaceNameGlob? other) => other is not null && other.Pattern == Pattern;
    public override bool Equals(object? obj) => Equals(obj as InterfaceNameGlob);
    public override int GetHashCode() => Pattern.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Pattern;
}
