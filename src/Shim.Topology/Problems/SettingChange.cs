namespace Shim.Topology;

public enum ChangeKind
{
    /// <summary><c>key = value</c>.</summary>
    Set,

    /// <summary><c>key &gt;= value</c>: the smallest value that works.</summary>
    AtLeast,

    /// <summary><c>key &lt;= value</c>: the largest value allowed.</summary>
    AtMost,
}

/// <summary>One change that fixes a problem. <see cref="Value"/> is unquoted; <see cref="Render"/> quotes strings.</summary>
public sealed record SettingChange(TopologySetting Setting, SettingKey Key, ChangeKind Kind, string Value)
{
    /// <summary>The value as written in TOML: <c>"root-port"</c>, <c>1</c>, <c>true</c>.</summary>
    public string RenderValue() => Key.Quoted ? TopologySettings.Quote(Value) : Value;

    /// <summary>e.g. <c>pcie_root_port &gt;= 1</c> or <c>cold_plug_vfio = "root-port"</c>.</summary>
    public string Render()
    {
        var value = RenderValue();
        var op = Kind switch
        {
            ChangeKind.AtLeast => ">=",
            ChangeKind.AtMost => "<=",
            _ => "=",
        };
        return $"{Key.Name} {op} {value}";
    }

    internal static SettingChange Of(TopologySettings s, TopologySetting setting, ChangeKind kind, string value) =>
        new(setting, s.Keys.For(setting), kind, value);

    internal static SettingChange AtLeast(TopologySettings s, TopologySetting setting, int value) =>
        Of(s, setting, ChangeKind.AtLeast, TopologySettings.Number(value));

    internal static SettingChange AtMost(TopologySettings s, TopologySetting setting, int value) =>
        Of(s, setting, ChangeKind.AtMost, TopologySettings.Number(value));

    internal static SettingChange Port(TopologySettings s, TopologySetting setting, PortType value) =>
        Of(s, setting, ChangeKind.Set, value.ToConfigValue());
}
