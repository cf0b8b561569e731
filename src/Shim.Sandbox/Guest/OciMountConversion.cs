using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// OCI <c>mounts</c> → agent mounts plus the binds the host must share (kata-agent-protocol.md §4.6): non-bind mounts
/// and binds of <c>/proc</c>, <c>/sys</c>, <c>/dev</c> pass through; a bind at <c>/dev/shm</c> becomes a private tmpfs
/// (there is no sandbox shm storage); any other bind is shared through kataShared with its source rewritten.
/// </summary>
internal static class OciMountConversion
{
    /// <summary>Kata's DefaultShmSize (64 MiB) for the private tmpfs that replaces a <c>/dev/shm</c> bind.</summary>
    public const long DefaultShmBytes = 64L * 1024 * 1024;

    private static readonly string[] SystemSourceRoots = ["/proc", "/sys", "/dev"];

    public static (IReadOnlyList<Mount> Mounts, IReadOnlyList<SharedBind> Shared) Convert(
        OciJsonNode spec, string containerId, Func<string> randomHex)
    {
        var mounts = new List<Mount>();
        var shared = new List<SharedBind>();
        foreach (var node in spec.Array("mounts"))
        {
            var mount = Read(node);
            if (!IsBind(mount))
            {
                mounts.Add(mount);
            }
            else if (mount.Destination == "/dev/shm")
            {
                mounts.Add(PrivateShm());
            }
            else if (IsUnder(mount.Source, SystemSourceRoots))
            {
                mounts.Add(mount);
            }
            else
            {
                // The host binds this path into the share; a relative or empty one has no meaning outside runc's cwd.
                if (!mount.Source.StartsWith('/'))
                    throw node.Field("source")?.Invalid("an absolute host path for a bind mount") ?? node.Invalid("a bind mount with a 'source'");
                var bind = new SharedBind(mount.Source, ShareName(containerId, mount.Destination, randomHex), mount.Options.Contains("ro"));
                shared.Add(bind);
                mount.Source = bind.GuestPath;
                mounts.Add(mount);
            }
        }
        return (mounts, shared);
    }

    /// <summary>The host source of the bind mounted at <paramref name="destination"/>, or null.</summary>
    public static string? BindSource(OciJsonNode spec, string destination) =>
        spec.Array("mounts").Select(Read).FirstOrDefault(m => IsBind(m) && m.Destination == destination)?.Source;

    private static Mount Read(OciJsonNode node)
    {
        var mount = new Mount
        {
            Destination = node.String("destination") ?? "",
            Source = node.String("source") ?? "",
            Type = node.String("type") ?? "",
        };
        mount.Options.AddRange(node.Strings("options"));
        return mount;
    }

    // runc treats "bind"/"rbind" in the options as a bind whatever the type says (e.g. type "none").
    private static bool IsBind(Mount m) => m.Type == "bind" || m.Options.Contains("bind") || m.Options.Contains("rbind");

    private static bool IsUnder(string path, string[] roots) =>
        roots.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal));

    private static Mount PrivateShm()
    {
        var m = new Mount { Destination = "/dev/shm", Source = "shm", Type = "tmpfs" };
        m.Options.AddRange(["noexec", "nosuid", "nodev", "mode=1777", $"size={DefaultShmBytes}"]);
        return m;
    }

    private static string ShareName(string containerId, string destination, Func<string> randomHex)
    {
        var hex = randomHex();
        if (hex.Length != 16 || !hex.All(char.IsAsciiHexDigitLower))
            throw new InvalidOperationException($"the share-name random source returned '{hex}'; it must return 16 lower-case hex digits");
        var name = Path.GetFileName(destination.TrimEnd('/'));
        return $"{containerId}-{hex}-{(name.Length == 0 ? "root" : name)}";
    }
}
