using System.Text;

namespace Shim.HostPci;

/// <summary>
/// Small, allocation-light reads of sysfs attributes and links. Attributes are tiny, so one pread into a stack
/// buffer replaces File.ReadAllText (which matters for a 4,096-function inventory).
/// </summary>
public static class SysfsReader
{
    /// <summary>The attribute's text without the trailing newline, or null when it does not exist.</summary>
    public static string? ReadAttribute(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        int n = ReadBytes(path, buffer);
        if (n < 0) return null;
        var text = buffer[..n];
        while (text.Length > 0 && (text[^1] == (byte)'\n' || text[^1] == 0)) text = text[..^1];
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>Hex attribute such as <c>0x8086</c> or <c>0x020000</c>; null when missing or malformed.</summary>
    public static uint? ReadHex(string path)
    {
        Span<byte> buffer = stackalloc byte[32];
        int n = ReadBytes(path, buffer);
        if (n < 0) return null;
        var text = buffer[..n];
        if (text.Length >= 2 && text[0] == (byte)'0' && (text[1] | 0x20) == (byte)'x') text = text[2..];
        uint value = 0;
        int digits = 0;
        foreach (byte b in text)
        {
            uint nibble;
            if (b >= '0' && b <= '9') nibble = (uint)(b - '0');
            else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'f') nibble = (uint)((b | 0x20) - 'a' + 10);
            else if (b is (byte)'\n' or 0) break;
            else return null;
            if (++digits > 8) return null;
            value = (value << 4) | nibble;
        }
        return digits == 0 ? null : value;
    }

    public static int? ReadDecimal(string path)
    {
        var text = ReadAttribute(path);
        return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>The raw target text of a symlink, or null when the path is missing or not a link.</summary>
    public static string? ReadLink(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Basename of a link target (sysfs-pci.md §1.6: never string-match the ../ prefix).</summary>
    public static string? LinkBasename(string path)
    {
        var target = ReadLink(path);
        if (target is null) return null;
        var trimmed = target.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        return slash >= 0 ? trimmed[(slash + 1)..] : trimmed;
    }

    /// <summary>Reads the whole (small) file; returns the byte count or -1 when it does not exist.</summary>
    private static int ReadBytes(string path, Span<byte> buffer)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int total = 0;
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(handle, buffer[total..], total);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
        catch (FileNotFoundException) { return -1; }
        catch (DirectoryNotFoundException) { return -1; }
        catch (UnauthorizedAccessException) { return -1; }
    }
}
