using Shim.Ttrpc;
using Storage = Shim.Agent.Protocol.Storage;

namespace Shim.TestAgent;

/// <summary>
/// The kataShared virtio-fs storage of a sandbox, as the test agent "mounts" it: guest paths under
/// <see cref="GuestMountPoint"/> live under <see cref="HostDirectory"/> (the host directory the VMM would
/// export), so a container's <c>Root.Path</c> can be chrooted into.
/// </summary>
public sealed record SandboxShare(string GuestMountPoint, string HostDirectory)
{
    public const string Source = "kataShared";
    public const string Driver = "virtio-fs";

    /// <summary>Placeholder in <c>--shared-root</c> replaced by <c>CreateSandbox.sandbox_id</c>.</summary>
    public const string SandboxPlaceholder = "{sandbox}";

    /// <summary>The share named by <paramref name="storages"/>, or null when there is none or no template to map it.</summary>
    public static SandboxShare? From(IEnumerable<Storage> storages, string? hostTemplate, string sandboxId)
    {
        var shared = storages.FirstOrDefault(s => s.Source == Source && s.Driver == Driver);
        if (shared is null || hostTemplate is null)
        {
            return null;
        }
        if (shared.MountPoint.Length == 0 || !shared.MountPoint.StartsWith('/'))
        {
            throw new TtrpcException(StatusCode.Internal, $"kataShared storage needs an absolute mount_point, got '{shared.MountPoint}'");
        }
        if (hostTemplate.Contains(SandboxPlaceholder, StringComparison.Ordinal) && sandboxId.Length == 0)
        {
            throw new TtrpcException(StatusCode.Internal,
                $"--shared-root '{hostTemplate}' needs CreateSandbox.sandbox_id, which is empty; send the sandbox id");
        }
        return new SandboxShare(Trim(shared.MountPoint), hostTemplate.Replace(SandboxPlaceholder, sandboxId, StringComparison.Ordinal));
    }

    /// <summary>The host path of <paramref name="guestPath"/>; paths outside the mount point are returned unchanged.</summary>
    public string ToHost(string guestPath)
    {
        var path = Trim(guestPath);
        if (path == GuestMountPoint)
        {
            return HostDirectory;
        }
        return path.StartsWith(GuestMountPoint + "/", StringComparison.Ordinal)
            ? Path.Join(HostDirectory, path[(GuestMountPoint.Length + 1)..])
            : guestPath;
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
