namespace Shim.Configuration;

/// <summary>An effective configuration value and where it came from.</summary>
public sealed record Setting<T>(T Value, ValueOrigin Origin)
{
    public static Setting<T> Default(T value) => new(value, ValueOrigin.Default);

    public override string ToString() => $"{Value} ({Origin})";
}
