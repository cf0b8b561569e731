namespace Shim.Configuration;

/// <summary>One [[plugins.rule]]: when every match field that is set matches a candidate, the rule decides
/// (include or exclude) for that candidate. Unset fields match anything.</summary>
/// <param name="Index">0-based position among the rules of the file.</param>
/// <param name="Interface">Glob (*, ?, [abc]) on the interface name.</param>
/// <param name="VendorDevice">PCI "vvvv:dddd", lower-case hex.</param>
/// <param name="Driver">Host driver bound to the device (e.g. "iavf", "mlx5_core").</param>
/// <param name="Annotation">A pod annotation that must be present with this exact value.</param>
public sealed record PluginRule(
    int Index,
    string Plugin,
    InterfaceNameGlob? Interface,
    PciVendorDevice? VendorDevice,
    string? Driver,
    AnnotationMatch? Annotation,
    PluginRuleAction Action,
    ValueOrigin Origin)
{
    /// <summary>Where each field of the rule was written (key → value position); empty for rules built in code.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, ValueOrigin> FieldOrigins { get; init; } =
        System.Collections.Immutable.ImmutableDictionary<string, ValueOrigin>.Empty;

    public ValueOrigin OriginOf(string field) => FieldOrigins.TryGetValue(field, out var o) ? o : Origin;
}
