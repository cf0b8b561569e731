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

    public string QmpSocket => System.IO.Path.Combine(Path, QmpSocketName);

    public string PortsFile => System.IO.Path.Combine(Path, PortsFileName);

    public void Create() => Directory.CreateDirectory(Path);

    /// <summary>Removes the directory; a missing one is fine (delete is idempotent).</summary>
    public void Remove()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
