using Shim.Agent.Protocol;

namespace Shim.Agent.Tests;

/// <summary>Sandboxes as the shim creates them: the kataShared virtio-fs storage and rootfs under its mount point (§4).</summary>
internal static class Sandboxes
{
    public const string GuestShared = "/run/kata-containers/shared/containers/";

    public static Storage KataShared => new() { Driver = "virtio-fs", Source = "kataShared", Fstype = "virtiofs", MountPoint = GuestShared };

    public static CreateSandboxRequest Create(string sandboxId) =>
        new() { Hostname = sandboxId, SandboxId = sandboxId, Storages = { KataShared } };

    /// <summary>Guest <c>Root.Path</c> of a container whose rootfs was shared through kataShared.</summary>
    public static string GuestRootfs(string containerId) => $"{GuestShared}{containerId}/rootfs";

    /// <summary>A tiny rootfs at <c>&lt;hostShared&gt;/&lt;cid&gt;/rootfs</c> with sh and cat, and <c>/name</c> holding <paramref name="name"/>.</summary>
    public static async Task<string> ShareRootfsAsync(string hostShared, string containerId, string name)
    {
        var rootfs = await TinyRootfs.BuildAsync(Path.Combine(hostShared, containerId, "rootfs"), TestDeadline.Token, "/bin/sh", "/bin/cat");
        await File.WriteAllTextAsync(Path.Combine(rootfs, "name"), name + "\n", TestDeadline.Token);
        return rootfs;
    }
}
