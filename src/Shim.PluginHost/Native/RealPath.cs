using System.Runtime.InteropServices;

namespace Shim.PluginHost.Native;

/// <summary>realpath(3): the canonical path with every symlink resolved, or null when a component is missing.</summary>
internal static class RealPath
{
    public static string? Resolve(string path)
    {
        var p = Libc.realpath(path, 0);
        if (p == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            Libc.free(p);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="directory"/> or below it (both canonical).</summary>
    public static bool IsWithin(string path, string directory) =>
        path == directory || path.StartsWith(directory.EndsWith('/') ? directory : directory + "/", StringComparison.Ordinal);
}
