using System.Diagnostics.CodeAnalysis;

namespace Shim.Abstractions;

/// <summary>
/// The kernel's BDF grammar (sysfs-pci.md §3): <c>dddd[dddd]:bb:dd.f</c>, hex, device &lt;= 1f, function &lt;= 7.
/// Upper case is normalised to lower case; anything else (no domain, USB bus-info, path characters) is rejected.
/// </summary>
public static class PciAddressText
{
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? bdf)
    {
        bdf = null;
        if (string.IsNullOrEmpty(text) || text.Length > 16) return false;
        var s = text.ToLowerInvariant();
        var firstColon = s.IndexOf(':');
        if (firstColon < 4 || firstColon > 8) return false;
        // After the domain: exactly "bb:dd.f".
        var rest = s.AsSpan(firstColon + 1);
        if (rest.Length != 7 || rest[2] != ':' || rest[5] != '.') return false;
        if (!AllHex(s.AsSpan(0, firstColon)) || !AllHex(rest[..2]) || !AllHex(rest.Slice(3, 2))) return false;
        var device = Convert.ToInt32(rest.Slice(3, 2).ToString(), 16);
        var function = rest[6] - '0';
        if (device > 0x1f || function is < 0 or > 7) return false;
        bdf = s;
        return true;
    }

    public static bool IsValid(string? text) => TryNormalize(text, out _);

    private static bool AllHex(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }
}
