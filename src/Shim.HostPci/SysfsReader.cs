using System.Runtime.InteropServices;
using System.Text;

namespace Shim.HostPci;

/// <summary>
/// Small, exception-free reads of sysfs attributes and links. A 4,096-function inventory makes ~100k of these, so
/// on Linux they are plain open/read/close/readlink system calls into stack buffers: no SafeHandle, no fstat, and no
/// exception for the many optional entries (physfn, sriov_*, net/) that are legitimately absent.
/// </summary>
public static partial class SysfsReader
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

    /// <summary>Decimal attribute (<c>sriov_numvfs</c>, <c>numa_node</c>); null when missing or malformed.</summary>
    public static int? ReadDecimal(string path)
    {
        Span<byte> buffer = stackalloc byte[32];
        int n = ReadBytes(path, buffer);
        if (n <= 0) return null;
        var text = buffer[..n];
        bool negative = text[0] == (byte)'-';
        if (negative) text = text[1..];
        int value = 0, digits = 0;
        foreach (byte b in text)
        {
            if (b is (byte)'\n' or 0) break;
            if (b < '0' || b > '9' || ++digits > 9) return null;
            value = value * 10 + (b - '0');
        }
        return digits == 0 ? null : negative ? -value : value;
    }

    /// <summary>The raw target text of a symlink, or null when the path is missing or not a link.</summary>
    public static string? ReadLink(string path)
    {
        Span<byte> buffer = stackalloc byte[4096];
        int n = ReadLinkBytes(path, buffer);
        return n < 0 ? null : Encoding.UTF8.GetString(buffer[..n]);
    }

    /// <summary>Basename of a link target (sysfs-pci.md §1.6: never string-match the ../ prefix).</summary>
    public static string? LinkBasename(string path)
    {
        Span<byte> buffer = stackalloc byte[4096];
        int n = ReadLinkBytes(path, buffer);
        if (n < 0) return null;
        var target = buffer[..n];
        while (target.Length > 1 && target[^1] == (byte)'/') target = target[..^1];
        int slash = target.LastIndexOf((byte)'/');
        return Encoding.UTF8.GetString(slash >= 0 ? target[(slash + 1)..] : target);
    }

    /// <summary>
    /// Names in a directory (without "." and ".."), or an empty list when it does not exist. Native readdir on
    /// Linux: FileSystemEnumerable costs ~40 µs per small sysfs directory, readdir a few.
    /// </summary>
    public static List<string> ListDirectory(string path)
    {
        var names = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(path))
                names.AddRange(Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).OfType<string>());
            return names;
        }
        var dir = Native.OpenDir(path);
        if (dir == 0) return names;
        try
        {
            Native.ReadNames(dir, names);
        }
        finally
        {
            _ = Native.CloseDir(dir);
        }
        return names;
    }

    /// <summary>Reads a small file into <paramref name="buffer"/>; the byte count, or -1 when it does not exist.</summary>
    public static int ReadInto(string path, Span<byte> buffer) => ReadBytes(path, buffer);

    /// <summary>Size of a file (sysfs <c>config</c>: 256 conventional, 4096 PCIe), or -1 when missing.</summary>
    public static long FileSize(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : -1;
        }
        int fd = Native.Open(path, Native.ORdonly | Native.OCloexec);
        if (fd < 0) return -1;
        try { return Native.LSeek(fd, 0, Native.SeekEnd); }
        finally { _ = Native.Close(fd); }
    }

    private static int ReadBytes(string path, Span<byte> buffer)
    {
        if (!OperatingSystem.IsLinux())
            return ManagedRead(path, buffer);
        int fd = Native.Open(path, Native.ORdonly | Native.OCloexec);
        if (fd < 0) return -1;
        try
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n = Native.Read(fd, buffer[total..]);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static int ReadLinkBytes(string path, Span<byte> buffer)
    {
        if (!OperatingSystem.IsLinux())
        {
            string? target;
            try { target = new FileInfo(path).LinkTarget; }
            catch (IOException) { return -1; }
            if (target is null) return -1;
            return Encoding.UTF8.GetBytes(target, buffer);
        }
        int n = Native.ReadLink(path, buffer);
        return n >= buffer.Length ? -1 : n;
    }

    private static int ManagedRead(string path, Span<byte> buffer)
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

    private static unsafe partial class Native
    {
        public const int ORdonly = 0, OCloexec = 0x80000, SeekEnd = 2;

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close")]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "lseek")]
        public static partial long LSeek(int fd, long offset, int whence);

        [LibraryImport("libc", EntryPoint = "read")]
        private static partial nint ReadRaw(int fd, byte* buffer, nint count);

        [LibraryImport("libc", EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8)]
        private static partial nint ReadLinkRaw(string path, byte* buffer, nint size);

        [LibraryImport("libc", EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
        public static partial nint OpenDir(string path);

        [LibraryImport("libc", EntryPoint = "readdir")]
        private static partial byte* ReadDirRaw(nint dir);

        [LibraryImport("libc", EntryPoint = "closedir")]
        public static partial int CloseDir(nint dir);

        /// <summary>glibc/musl LP64 struct dirent: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name at 19.</summary>
        public static void ReadNames(nint dir, List<string> names)
        {
            if (!Environment.Is64BitProcess)
                throw new PlatformNotSupportedException("sysfs directory listing expects a 64-bit Linux dirent layout");
            for (byte* entry = ReadDirRaw(dir); entry != null; entry = ReadDirRaw(dir))
            {
                var name = new ReadOnlySpan<byte>(entry + 19, 256);
                int length = name.IndexOf((byte)0);
                if (length < 0) length = name.Length;
                name = name[..length];
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                names.Add(Encoding.UTF8.GetString(name));
            }
        }

        public static int Read(int fd, Span<byte> buffer)
        {
            fixed (byte* p = buffer) return (int)ReadRaw(fd, p, buffer.Length);
        }

        public static int ReadLink(string path, Span<byte> buffer)
        {
            fixed (byte* p = buffer) return (int)ReadLinkRaw(path, p, buffer.Length);
        }
    }
}
