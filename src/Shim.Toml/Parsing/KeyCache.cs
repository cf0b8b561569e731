namespace Shim.Toml.Parsing;

/// <summary>Reuses the string of a bare key seen before (documents repeat the same keys across tables and
/// arrays of tables). A small direct-mapped cache per thread: no locking, no per-parse allocation, and a
/// miss costs one string, as without the cache. Strings are immutable, so sharing them is safe.</summary>
internal static class KeyCache
{
    private const int Size = 1024; // power of two
    private const int MaxKeyLength = 48;

    [ThreadStatic]
    private static string?[]? t_entries;

    public static string Get(ReadOnlySpan<byte> asciiKey)
    {
        if (asciiKey.Length > MaxKeyLength)
            return System.Text.Encoding.ASCII.GetString(asciiKey);
        var entries = t_entries ??= new string?[Size];
        uint hash = 2166136261;
        foreach (var b in asciiKey)
            hash = (hash ^ b) * 16777619;
        ref var slot = ref entries[hash & (Size - 1)];
        if (slot is { } cached && Matches(cached, asciiKey))
            return cached;
        return slot = System.Text.Encoding.ASCII.GetString(asciiKey);
    }

    private static bool Matches(string s, ReadOnlySpan<byte> ascii)
    {
        if (s.Length != ascii.Length)
            return false;
        for (var i = 0; i < ascii.Length; i++)
        {
            if (s[i] != ascii[i])
                return false;
        }
        return true;
    }
}
