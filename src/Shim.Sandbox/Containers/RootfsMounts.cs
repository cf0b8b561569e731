using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shim.Containerd.Tasks;

namespace Shim.Sandbox.Containers;

/// <summary>
/// The container's rootfs on the host. With <c>ctr run --rootfs</c> containerd passes no mounts and config.json's
/// root.path is the directory; with an image, containerd passes the snapshotter's mounts and the shim mounts them
/// on <c>&lt;bundle&gt;/rootfs</c> (as runc's shim does) before sharing that directory with the guest.
/// </summary>
public static class RootfsMounts
{
    public static readonly TimeSpan MountDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Mounts containerd's rootfs mounts if any; returns the host directory holding the rootfs.</summary>
    public static async Task<string> PrepareAsync(SandboxCreateRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        var bundleRootfs = Path.Combine(request.Bundle, "rootfs");
        if (request.Rootfs.Count == 0)
        {
            var root = request.Spec.RootPath ?? "rootfs";
            var path = Path.IsPathRooted(root) ? root : Path.Combine(request.Bundle, root);
            return Directory.Exists(path) ? path
                : throw new DirectoryNotFoundException($"container {request.TaskId}: root.path '{root}' in config.json is not a directory ({path}); pass an existing --rootfs");
        }
        Directory.CreateDirectory(bundleRootfs);
        foreach (var mount in request.Rootfs)
        {
            var args = new List<string> { "-t", mount.Type };
            if (mount.Options.Count > 0) args.AddRange(["-o", string.Join(',', mount.Options)]);
            args.AddRange([mount.Source, bundleRootfs]);
            await RunMountAsync(args, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("container {Id}: mounted {Type} {Source} on {Target}", request.TaskId, mount.Type, mount.Source, bundleRootfs);
        }
        return bundleRootfs;
    }

    /// <summary>Unmounts what <see cref="PrepareAsync"/> mounted on the bundle's rootfs (nothing for --rootfs); logs what stays.</summary>
    public static void Release(SandboxCreateRequest request, ILogger logger)
    {
        if (request.Rootfs.Count == 0) return;
        var failed = Shim.Containerd.Mounts.MountTable.DetachAllUnder(Path.Combine(request.Bundle, "rootfs"));
        if (failed.Count > 0) logger.LogWarning("container {Id}: could not detach {Mounts}", request.TaskId, string.Join(", ", failed));
    }

    private static async Task RunMountAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("mount") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start mount(8)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(MountDeadline);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new IOException($"mount {string.Join(' ', args)} failed ({process.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()}");
        }
    }
}
