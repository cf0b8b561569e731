namespace Shim.Abstractions;

/// <summary>Everything a plugin may look at for one sandbox. All of it is read-only.</summary>
/// <param name="SandboxId">The sandbox (pod) id, for messages.</param>
/// <param name="Phase">Boot (cold plug possible) or Running (hot plug only).</param>
/// <param name="OciSpecJson">The sandbox container's OCI runtime spec (config.json) text.</param>
/// <param name="Annotations">The spec's annotations (already parsed, for convenience).</param>
/// <param name="Settings">This plugin's own table from the configuration.</param>
/// <param name="Links">The pod network namespace, or null when the sandbox has none.</param>
public sealed record PluginContext(
    string SandboxId,
    AttachPhase Phase,
    string OciSpecJson,
    IReadOnlyDictionary<string, string> Annotations,
    PluginSettings Settings,
    SandboxDeviceSettings Devices,
    IPciInventoryView Pci,
    ILinkView? Links,
    IHostFileView Files);
