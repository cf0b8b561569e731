using System.Text;

namespace Shim.HostPci;

/// <summary>
/// The PCI part of a device's <c>uevent</c> file (<c>DRIVER=</c>, <c>PCI_CLASS=</c>, <c>PCI_ID=vvvv:dddd</c>): one read
/// instead of three attribute reads and a readlink, which is what keeps a 4,096-function inventory fast. The kernel
/// fills DRIVER from the same dev->driver that the <c>driver</c> link shows. Null when the file is missing or
/// lacks the PCI keys (callers then read the individual attributes).
/// </summary>
internal readonly record struct PciUevent(string? Driver, uint Class, ushort Vendor, ushort Device)
{
    public static PciUevent? Read(string path)
    {
        Span<byte> buffer = stackalloc byte[1024];
        int n = SysfsReader.ReadInto(path, buffer);
        if (n <= 0) return null;
        var text = buffer[..n];
        string? driver = null;
        uint? cls = null;
        ushort? vendor = null, device = null;
        while (text.Length > 0)
        {
            int end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? default : text[(end + 1)..];
            if (line.StartsWith("DRIVER="u8)) driver = Encoding.UTF8.GetString(line[7..]);
            else if (line.StartsWith("PCI_CLASS="u8) && Hex(line[10..], 6) is { } c) cls = c;
            else if (line.StartsWith("PCI_ID="u8) && line.Length == 16 && line[11] == (byte)':'
                     && Hex(line[7..11], 4) is { } v && Hex(line[12..16], 4) is { } d)
            {
                vendor = (ushort)v;
                device = (ushort)d;
            }
        }
        if (cls is null || vendor is null || device is null) return null;
        if (driver is not null && !SysfsName.IsValid(driver)) driver = null;
        return new PciUevent(driver, cls.Value, vendor.Value, device.Value);
    }

    private static uint? Hex(ReadOnlySpan<byte> digits, int max)
    {
        if (digits.Length == 0 || digits.Length > max) return null;
        uint value = 0;
        foreach (byte b in digits)
        {
            uint nibble;
            if (b >= '0' && b <= '9') nibble = (uint)(b - '0');
            else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'f') nibble = (uint)((b | 0x20) - 'a' + 10);
            else return null;
            value = (value << 4) | nibble;
        }
        return value;
    }
}
