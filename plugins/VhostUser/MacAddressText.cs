namespace Kataplug.Plugins.VhostUser;

/// <summary>Ethernet MAC text: six colon-separated hex pairs, normalised to lower case.</summary>
internal static class MacAddressText
{
    public static string? Normalize(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit))) return null;
        return text.ToLowerInvariant();
    }
}
