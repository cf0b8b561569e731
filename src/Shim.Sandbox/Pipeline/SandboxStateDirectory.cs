namespace Shim.Sandbox.Pipeline;

/// <summary>
/// The per-sandbox runtime directory <c>&lt;[host] state_dir&gt;/sandboxes/&lt;id&gt;</c>: QMP socket and the port
/// allocation state (so a restarted shim knows which port holds what). Kept short: unix sockets allow 107 bytes.
/// </summary>
public sealed record SandboxStateDirectory(string Path)
{
    public const string QmpSocketName = "qmp.sock";
    public const string PortsFileName = "ports.json";

    public static SandboxStateDirectory For(string stateDir, string sandboxId) =>
        new(Shim.Containerd.Tasks.ShimStateLayout.SandboxStateDirectory(stateDir, sandboxId));

    /// <summary>The sandbox id (the directory's name).</summary>
    public string SandboxId => System.IO.Path.GetFileName(Path);

    public string QmpSocket => System.IO.Path.Combine(Path, QmpSocketName);

    /// <summary>virtiofsd's vhost-user socket (agent in the guest with shared_fs = "virtio-fs").</summary>
    public string VirtiofsSocket => System.IO.Path.Combine(Path, "vfs.sock");

    public string PortsFile => System.IO.Path.Combine(Path, PortsFileName);

    /// <summary>What the guest sees as the kataShared mount (/run/kata-containers/shared/containers/).</summary>
    public string SharedDirectory => System.IO.Path.Combine(Path, "shared");

    /// <summary>Where container <paramref name="containerId"/>'s rootfs is bind-mounted for the guest.</summary>
    public string RootfsShare(string containerId) => System.IO.Path.Combine(SharedDirectory, containerId, "rootfs");

    public void Create() => Directory.CreateDirectory(Path);

    /// <summary>Removes the directory once nothing is mounted under it; a missing one is fine (delete is idempotent).</summary>
    public void Remove() => Shim.Containerd.Mounts.MountTable.DeleteTreeSafely(Path);
}
