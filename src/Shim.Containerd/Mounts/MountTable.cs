using System.Runtime.InteropServices;
using System.Text;

namespace Shim.Containerd.Mounts;

/// <summary>
/// The mounts the shim makes for the guest (container rootfs binds in the sandbox's shared directory) and the one
/// rule that protects users' data: a state directory is deleted only after everything mounted under it is detached,
/// because a recursive delete through a live bind mount deletes the container's rootfs.
/// </summary>
public static partial class MountTable
{
    private const ulong MsReadOnly = 1;
    private const ulong MsRemount = 0x20;
    private const ulong MsBind = 0x1000;
    private const ulong MsPrivate = 1 << 18;
    private const int MntDetach = 2;

    /// <summary>Mount points at or below <paramref name="directory"/>, deepest first (from /proc/self/mountinfo).</summary>
    public static IReadOnlyList<string> MountPointsUnder(string directory)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var found = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point.
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            var point = Unescape(fields[4]);
            if (point == root || point.StartsWith(root + "/", StringComparison.Ordinal)) found.Add(point);
        }
        return [.. found.Distinct().OrderByDescending(p => p.Length)];
    }

    /// <summary>A private, non-recursive bind of <paramref name="source"/> on <paramref name="target"/> (Kata's rootfs share).</summary>
    public static void Bind(string source, string target, bool readOnly = false)
    {
        if (Mount(source, target, null, MsBind, 0) != 0)
        {
            throw new IOException($"bind mount of {source} on {target} failed: errno {Marshal.GetLastPInvokeError()}; the shim must run as root");
        }
        // Private: nothing mounted later under the container's rootfs leaks back to the host or other shares.
        _ = Mount("", target, null, MsPrivate, 0);
        if (readOnly && Mount("", target, null, MsBind | MsRemount | MsReadOnly, 0) != 0)
        {
            throw new IOException($"read-only remount of {target} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Detaches every mount at or below <paramref name="directory"/>; returns those that could not be detached.</summary>
    public static IReadOnlyList<string> DetachAllUnder(string directory)
    {
        var failed = new List<string>();
        foreach (var point in MountPointsUnder(directory))
        {
            if (Umount2(point, MntDetach) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != 22 /* EINVAL: no longer a mount point */) failed.Add($"{point} (errno {errno})");
            }
        }
        return failed;
    }

    /// <summary>Deletes a state directory only once nothing is mounted under it; a missing directory is fine.</summary>
    /// <exception cref="IOException">a mount under it could not be detached: nothing was deleted.</exception>
    public static void DeleteTreeSafely(string directory)
    {
        if (!Directory.Exists(directory)) return;
        var failed = DetachAllUnder(directory);
        if (failed.Count > 0 || MountPointsUnder(directory).Count > 0)
        {
            throw new IOException($"not deleting {directory}: still mounted under it: {string.Join(", ", failed)}; unmount them (umount -l) and delete it by hand");
        }
        Directory.Delete(directory, recursive: true);
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string? fsType, ulong flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
