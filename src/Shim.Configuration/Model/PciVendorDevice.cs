using System.Globalization;

namespace Shim.Configuration;

/// <summary>A PCI vendor:device pair ("8086:154c").</summary>
public sealed record PciVendorDevice(ushort Vendor, ushort Device)
{
    public static bool TryParse(string text, out PciVendorDevice? value)
    {
        value = null;
        var parts = text.Split(':');
        if (parts.Length != 2 || parts[0].Length != 4 || parts[1].Length != 4) return false;
        if (!ushort.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)) return false;
        if (!ushort.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var d)) return false;
        value = new PciVendorDevice(v, d);
        return true;
    }

    public override string ToString() => $"{Vendor:x4}:{Device:x4}";
}
