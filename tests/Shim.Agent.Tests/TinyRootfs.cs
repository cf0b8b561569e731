using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Shim.Agent.Tests;

/// <summary>
/// A minimal container rootfs made of plain copies of a few host binaries and the shared libraries
/// <c>ldd</c> names for them (no bind mounts, nothing to unmount): enough to prove the agent chroots.
/// </summary>
internal static partial class TinyRootfs
{
    [GeneratedRegex(@"(/\S+)")]
    private static partial Regex AbsolutePath();

    public static async Task<string> BuildAsync(string root, CancellationToken cancellationToken, params string[] binaries)
    {
        foreach (var binary in binaries)
        {
            Copy(binary, root);
            var ldd = Process.Start(new ProcessStartInfo("ldd", binary) { RedirectStandardOutput = true })!;
            var output = await ldd.StandardOutput.ReadToEndAsync(cancellationToken);
            await ldd.WaitForExitAsync(cancellationToken);
            foreach (Match library in AbsolutePath().Matches(output))
            {
                Copy(library.Value, root);
            }
        }
        return root;
    }

    private static void Copy(string hostPath, string root)
    {
        var target = Path.Combine(root, hostPath.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // File.Copy follows symlinks (/bin/sh -> dash): the rootfs gets the real bytes.
        File.Copy(hostPath, target, overwrite: true);
        File.SetUnixFileMode(target, File.GetUnixFileMode(hostPath) | UnixFileMode.UserExecute);
    }
}
