using Shim.Configuration;

namespace Shim.Containerd.Tasks;

/// <summary>
/// Where a sandbox's host-side state lives under <c>[host] state_dir</c>. The pipeline writes there and
/// `shim delete` cleans up from there, possibly in another process after a crash, so both take paths from here.
/// </summary>
public static class ShimStateLayout
{
    /// <summary>
    /// The HostPci journal and claims: <c>&lt;state_dir&gt;/hostpci</c>, which for the default state_dir is
    /// <see cref="Shim.HostPci.BindingJournal.DefaultStateDirectory"/> (what `kataplug restore` reads).
    /// </summary>
    public static string HostPciStateDirectory(HostSettings host) => Path.Combine(host.StateDir.Value, "hostpci");

    /// <summary>Per-sandbox runtime state (QMP socket, port allocations): <c>&lt;state_dir&gt;/sandboxes/&lt;id&gt;</c>.</summary>
    public static string SandboxStateDirectory(string stateDir, string sandboxId) => Path.Combine(stateDir, "sandboxes", sandboxId);
}
