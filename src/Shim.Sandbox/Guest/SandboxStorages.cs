using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>Sandbox-wide storages for <c>CreateSandboxRequest.storages</c> (kata-agent-protocol.md §4.3).</summary>
public static class SandboxStorages
{
    /// <summary>The virtio-fs tag QEMU's vhost-user-fs-pci device carries and the agent mounts.</summary>
    public const string KataSharedTag = "kataShared";

    /// <summary>The kataShared virtio-fs share at <see cref="GuestPaths.SharedContainers"/>; no options (no dax: cache size 0).</summary>
    public static Storage KataShared() => new()
    {
        Driver = "virtio-fs",
        Source = KataSharedTag,
        Fstype = "virtiofs",
        MountPoint = GuestPaths.SharedContainers,
    };
}
