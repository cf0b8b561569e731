using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Shim.HostPci;

/// <summary>
/// A PCI function address <c>dddd:bb:dd.f</c> (sysfs-pci.md §3). Parsing is strict because the text becomes a
/// path component under the sysfs root: only ASCII hex digits are accepted (no Unicode digits, no whitespace,
/// no separators other than ':' and '.'), upper case is normalised to lower case, the domain takes 4–8 digits.
/// </summary>
public readonly record struct PciAddress(uint Domain, byte Bus, byte Device, byte Function) : IComparable<PciAddress>
{
    /// <summary>Longest accepted text: 8-digit domain + ":bb:dd.f".</summary>
    public const int MaxLength = 16;

    public static PciAddress Parse(string text)
    {
        if (TryParse(text, out var address))
            return address;
        throw new FormatException(
            $"'{Printable(text)}' is not a PCI address: expected dddd:bb:dd.f (hex, domain 4-8 digits, device 00-1f, function 0-7), e.g. 0000:3b:02.1");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out PciAddress address)
    {
        address = default;
        if (text is null || text.Length < 12 || text.Length > MaxLength)
            return false;
        int firstColon = text.IndexOf(':', StringComparison.Ordinal);
        int domainDigits = firstColon;
        if (domainDigits < 4 || domainDigits > 8 || text.Length != domainDigits + 8)
            return false;
        var rest = text.AsSpan(domainDigits);
        if (rest[0] != ':' || rest[3] != ':' || rest[6] != '.')
            return false;
        if (!TryHex(text.AsSpan(0, domainDigits), out uint domain)
            || !TryHex(rest.Slice(1, 2), out uint bus)
            || !TryHex(rest.Slice(4, 2), out uint device)
            || !TryHex(rest.Slice(7, 1), out uint function))
            return false;
        if (device > 0x1f || function > 7)
            return false;
        address = new PciAddress(domain, (byte)bus, (byte)device, (byte)function);
        return true;
    }

    /// <summary>Routing ID (bus &lt;&lt; 8 | device &lt;&lt; 3 | function), as used by SR-IOV VF arithmetic.</summary>
    public int RoutingId => (Bus << 8) | (Device << 3) | Function;

    public static PciAddress FromRoutingId(uint domain, int routingId) =>
        new(domain, (byte)((routingId >> 8) & 0xff), (byte)((routingId >> 3) & 0x1f), (byte)(routingId & 7));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Domain:x4}:{Bus:x2}:{Device:x2}.{Function:x1}");

    public int CompareTo(PciAddress other)
    {
        int c = Domain.CompareTo(other.Domain);
        if (c != 0) return c;
        c = Bus.CompareTo(other.Bus);
        if (c != 0) return c;
        c = Device.CompareTo(other.Device);
        return c != 0 ? c : Function.CompareTo(other.Function);
    }

    private static bool TryHex(ReadOnlySpan<char> digits, out uint value)
    {
        value = 0;
        foreach (char ch in digits)
        {
            // Explicit ASCII ranges: char.IsDigit would accept Arabic-Indic or fullwidth digits.
            uint nibble;
            if (ch >= '0' && ch <= '9') nibble = (uint)(ch - '0');
            else if (ch >= 'a' && ch <= 'f') nibble = (uint)(ch - 'a' + 10);
            else if (ch >= 'A' && ch <= 'F') nibble = (uint)(ch - 'A' + 10);
            else return false;
            value = (value << 4) | nibble;
        }
        return true;
    }

    internal static string Printable(string? text)
    {
        if (text is null) return "<null>";
        var shown = text.Length > 64 ? text[..64] + "…" : text;
        return shown.Replace("\0", "\\0", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
