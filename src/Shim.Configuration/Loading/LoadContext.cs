namespace Shim.Configuration.Loading;

/// <summary>What one load accumulates: every problem (we never stop at the first) and every ignored key.</summary>
internal sealed class LoadContext(string sourceName)
{
    public string SourceName { get; } = sourceName;
    public List<ConfigurationProblem> Problems { get; } = [];
    public List<IgnoredKey> Ignored { get; } = [];

    public void Problem(ValueOrigin where, string section, string key, string? value, string message) =>
        Problems.Add(new ConfigurationProblem(where, section, key, value, message));

    public void Ignore(string section, string key, ValueOrigin origin, string reason) =>
        Ignored.Add(new IgnoredKey(section, key, origin, reason));
}
