namespace Shim.Configuration;

/// <summary>A key or table kataplug accepted but does not use (a Kata key for another feature or another
/// hypervisor, or an enabled annotation kataplug does not implement). Callers log these at debug level.</summary>
public sealed record IgnoredKey(string Section, string Key, ValueOrigin Origin, string Reason)
{
    public override string ToString() =>
        (Section.Length == 0 ? Key : $"[{Section}] {Key}") + $" ({Origin}): {Reason}";
}
