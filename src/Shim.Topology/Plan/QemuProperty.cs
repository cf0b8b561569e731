namespace Shim.Topology;

/// <summary>One <c>name=value</c> of a <c>-device</c> option, in command-line order.</summary>
public sealed record QemuProperty(string Name, string Value)
{
    public override string ToString() => Name + "=" + Value;
}
