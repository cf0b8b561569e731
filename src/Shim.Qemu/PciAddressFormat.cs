using System.Text.RegularExpressions;

namespace Shim.Qemu;

/// <summary>Host PCI address syntax as QEMU's <c>vfio-pci.host</c> accepts it.</summary>
public static partial class PciAddressFormat
{
    [GeneratedRegex("^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\\.([0-7])$")]
    private static partial Regex Bdf();

    /// <summary><c>84:01.1</c> → <c>0000:84:01.1</c>, lower-case. Rejects what QEMU would reject
    /// (<c>Property 'vfio-pci.host' doesn't take value …</c>), before anything is sent.</summary>
    public static string NormalizeBdf(string bdf)
    {
        var m = Bdf().Match(bdf ?? "");
        if (!m.Success)
        {
            throw new QemuConfigurationException(
                $"Host PCI address '{bdf}' is not a BDF; expected DDDD:BB:SS.F (e.g. 0000:84:01.1).");
        }
        var domain = m.Groups[1].Success ? m.Groups[1].Value : "0000";
        return $"{domain}:{m.Groups[2].Value}:{m.Groups[3].Value}.{m.Groups[4].Value}".ToLowerInvariant();
    }
}
