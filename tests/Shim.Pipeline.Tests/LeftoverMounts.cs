using System.Diagnostics;

namespace Shim.Pipeline.Tests;

/// <summary>
/// Mounts a failed test may leave under its temp directory (the shim bind-mounts each container's rootfs into the
/// sandbox's shared directory): detached before the directory is deleted, so a recursive delete never walks into a
/// mount and removes what it shows.
/// </summary>
public static class LeftoverMounts
{
    /// <summary>Mount points at or below <paramref name="directory"/>, deepest first (from /proc/self/mountinfo).</summary>
    public static IReadOnlyList<string> Under(string directory)
    {
        var prefix = directory.TrimEnd('/');
        return File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(point => point == prefix || point.StartsWith(prefix + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(point => point.Length)
            .ToList();
    }

    /// <summary>Lazily unmounts (<c>umount -l</c>) every mount under <paramref name="directory"/>; returns what it detached.</summary>
    public static IReadOnlyList<string> DetachUnder(string directory)
    {
        var points = Under(directory);
        foreach (var point in points)
        {
            using var umount = Process.Start(new ProcessStartInfo("umount", ["-l", point]) { RedirectStandardError = true })
                ?? throw new InvalidOperationException("cannot start umount (util-linux)");
            umount.StandardError.ReadToEnd();
            umount.WaitForExit();
        }
        return points;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
