namespace Shim.Abstractions;

/// <summary>
/// Shell-style glob for interface names, drivers and <c>vvvv:dddd</c> strings: <c>*</c> any run, <c>?</c> one
/// character, <c>[abc]</c> / <c>[a-z]</c> / <c>[!a]</c> a set (the same dialect as the configuration's rules).
/// An unclosed <c>[</c> matches itself literally.
/// </summary>
public static class NameGlob
{
    public static bool Matches(string pattern, string value) => Match(pattern.AsSpan(), value.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> s)
    {
        while (p.Length > 0)
        {
            switch (p[0])
            {
                case '*':
                    while (p.Length > 0 && p[0] == '*') p = p[1..]; // runs of '*' are one '*'
                    if (p.Length == 0) return true;
                    for (var k = 0; k <= s.Length; k++)
                        if (Match(p, s[k..])) return true;
                    return false;
                case '?':
                    if (s.Length == 0) return false;
                    p = p[1..];
                    s = s[1..];
                    break;
                case '[' when p.Length > 2 && p[2..].IndexOf(']') is var rel and >= 0:
                    if (s.Length == 0) return false;
                    var close = rel + 2;
                    if (!InSet(p[1..close], s[0])) return false;
                    p = p[(close + 1)..];
                    s = s[1..];
                    break;
                default:
                    if (s.Length == 0 || s[0] != p[0]) return false;
                    p = p[1..];
                    s = s[1..];
                    break;
            }
        }
        return s.Length == 0;
    }

    private static bool InSet(ReadOnlySpan<char> set, char c)
    {
        var negate = set[0] == '!';
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
}
