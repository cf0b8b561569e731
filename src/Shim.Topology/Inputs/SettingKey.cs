namespace Shim.Topology;

/// <summary>
/// Where a setting lives for the operator: the TOML key, its table, and the pod annotation that overrides it
/// (null when there is none), so every message names something the operator can actually edit.
/// </summary>
public sealed record SettingKey(string Name, string Section, string? Annotation)
{
    /// <summary>True when the value is written quoted in TOML (strings, enums).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Quoted { get; init; }

    public override string ToString() => $"{Name} in [{Section}]";
}
