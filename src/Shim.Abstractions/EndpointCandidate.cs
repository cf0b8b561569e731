namespace Shim.Abstractions;

/// <summary>
/// Something a plugin found and could attach. The host applies match rules to the identifying properties, resolves
/// conflicts between plugins (the earlier plugin in the configured order wins a BDF or an interface), then asks the
/// owning plugin to plan it.
/// </summary>
/// <param name="Id">Stable within the sandbox, e.g. <c>eth1</c> or <c>group-71</c>.</param>
/// <param name="Description">One line for logs and the CLI.</param>
public sealed record EndpointCandidate(string Id, EndpointKind Kind, string Description)
{
    /// <summary>Interface name in the pod netns, when the endpoint is a NIC.</summary>
    public string? InterfaceName { get; init; }

    /// <summary>Host PCI functions the endpoint would take (first is the primary one).</summary>
    public IReadOnlyList<string> Bdfs { get; init; } = [];

    /// <summary><c>vvvv:dddd</c> of the primary function.</summary>
    public string? VendorDevice { get; init; }

    /// <summary>Current host driver of the primary function.</summary>
    public string? HostDriver { get; init; }

    /// <summary>Opaque data the plugin keeps between discovery and planning. The host never reads it.</summary>
    public object? PluginState { get; init; }
}
