using Shim.Abstractions;

namespace Shim.PluginHost.Planning;

/// <summary>The sandbox facts every plugin sees (each gets its own settings on top).</summary>
public sealed record SandboxPlanInput(
    string SandboxId,
    AttachPhase Phase,
    string OciSpecJson,
    SandboxDeviceSettings Devices,
    IPciInventoryView Pci,
    ILinkView? Links,
    IHostFileView Files);
