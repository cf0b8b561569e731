using Shim.Configuration;
using Shim.HostPci;
using Shim.PluginHost.Loading;

namespace Shim.Sandbox.Preflight;

/// <summary>Everything a preflight looks at. Nothing in it is written to.</summary>
/// <param name="Configuration">The effective configuration (file + allowed annotations).</param>
/// <param name="Sysfs">Root of the host's sysfs (a temp tree for the emulator).</param>
/// <param name="NetnsPath">The pod's network namespace (e.g. /var/run/netns/x), or null for none.</param>
/// <param name="OciSpecJson">The sandbox's OCI spec, "{}" when there is none.</param>
/// <param name="ExplicitDevices">Functions asked for by the operator (kataplug plan --device), passed through as VFIO.</param>
/// <param name="Plugins">The loaded plugin catalog, or null when no plugin runs.</param>
public sealed record PreflightRequest(
    KataplugConfiguration Configuration,
    SysfsRoot Sysfs,
    string SandboxId,
    string? NetnsPath,
    string OciSpecJson,
    IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyList<PciAddress> ExplicitDevices,
    PluginCatalog? Plugins);
