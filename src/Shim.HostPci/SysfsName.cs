namespace Shim.HostPci;

/// <summary>
/// Validation of names that come from sysfs link targets, the journal or the user and are then joined to a path:
/// driver names, network interface names, block device names. Only <c>[A-Za-z0-9_.:+-]</c>, 1–64 characters,
/// never "." or "..". Anything else is refused before a path is built.
/// </summary>
public static class SysfsName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name is "." or "..")
            return false;
        foreach (char ch in name)
        {
            bool ok = ch is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.' or ':' or '+';
            if (!ok) return false;
        }
        return true;
    }

    public static string RequireDriver(string? name) => IsValid(name)
        ? name!
        : throw new ArgumentException(
            $"'{PciAddress.Printable(name)}' is not a valid driver name: expected 1-{MaxLength} characters of [A-Za-z0-9_.:+-], e.g. vfio-pci", nameof(name));

    /// <summary>IOMMU group numbers are non-negative decimal integers; the int type already guarantees the text form.</summary>
    public static int RequireGroup(int group) => group >= 0
        ? group
        : throw new ArgumentOutOfRangeException(nameof(group), group, "IOMMU group numbers are non-negative, e.g. 42");

    public static bool TryParseGroup(string? text, out int group)
    {
        group = -1;
        if (string.IsNullOrEmpty(text) || text.Length > 9)
            return false;
        int value = 0;
        foreach (char ch in text)
        {
            if (ch < '0' || ch > '9') return false;
            value = value * 10 + (ch - '0');
        }
        if (text.Length > 1 && text[0] == '0') return false;
        group = value;
        return true;
    }
}
