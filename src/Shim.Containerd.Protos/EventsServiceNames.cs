namespace Shim.Containerd.Protos;

/// <summary>The events call a shim makes to containerd on TTRPC_ADDRESS (containerd-shim-v2.md §11.1).</summary>
public static class EventsServiceNames
{
    public const string Service = "containerd.services.events.ttrpc.v1.Events";
    public const string Forward = "Forward";

    /// <summary>Metadata key carrying the namespace; Go shims attach it to every Forward.</summary>
    public const string NamespaceMetadataKey = "containerd-namespace-ttrpc";
}
