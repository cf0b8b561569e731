namespace Shim.Configuration;

/// <summary>What a rule is evaluated against: an interface / device a plugin discovered, in a pod.</summary>
public sealed record PluginCandidate(
    string? InterfaceName,
    PciVendorDevice? VendorDevice,
    string? Driver,
    IReadOnlyDictionary<string, string> Annotations);
