using System.Runtime.InteropServices;
using System.Text;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Netlink;

/// <summary>ETHTOOL_GDRVINFO through ioctl(SIOCETHTOOL) on a datagram socket created in the target netns (sysfs-pci.md §7.1).</summary>
internal sealed class EthtoolDriverInfo : IDisposable
{
    private const uint EthtoolGDrvInfo = 0x00000003;
    private const int DrvInfoSize = 196;
    private const int BusInfoOffset = 100;
    private const int DriverOffset = 4;
    private readonly int _fd;

    public EthtoolDriverInfo(int fd) => _fd = fd;

    /// <summary>(driver, bus_info) or null when the interface has no driver information (EOPNOTSUPP, ENODEV).</summary>
    public unsafe (string? Driver, string? BusInfo)? Query(string interfaceName)
    {
        var nameBytes = Encoding.UTF8.GetBytes(interfaceName);
        if (nameBytes.Length >= 16) return null; // IFNAMSIZ
        var info = stackalloc byte[DrvInfoSize];
        new Span<byte>(info, DrvInfoSize).Clear();
        *(uint*)info = EthtoolGDrvInfo;
        // struct ifreq: ifr_name[16] then the union; ifr_data (a pointer) at offset 16. 40 bytes in all.
        var ifreq = stackalloc byte[40];
        var span = new Span<byte>(ifreq, 40);
        span.Clear();
        nameBytes.CopyTo(span);
        *(nint*)(ifreq + 16) = (nint)info;
        if (Libc.ioctl(_fd, Libc.SiocEthtool, ifreq) != 0)
        {
            _ = Marshal.GetLastPInvokeError();
            return null;
        }
        return (CString(new ReadOnlySpan<byte>(info + DriverOffset, 32)), CString(new ReadOnlySpan<byte>(info + BusInfoOffset, 32)));
    }

    private static string? CString(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        var s = Encoding.UTF8.GetString(nul >= 0 ? bytes[..nul] : bytes);
        return s.Length == 0 ? null : s;
    }

    public void Dispose() => Libc.close(_fd);
}
