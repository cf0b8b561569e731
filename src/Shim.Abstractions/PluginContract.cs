namespace Shim.Abstractions;

/// <summary>
/// The version of this plugin contract. The host accepts a plugin built against the same major version and a minor
/// version no newer than its own (a newer minor may rely on members this host does not have).
/// </summary>
public static class PluginContract
{
    public const int Major = 1;
    public const int Minor = 0;

    /// <summary>"major.minor" text; a plugin bakes it in at compile time through <see cref="PluginContractVersionAttribute"/>.</summary>
    public const string VersionText = "1.0";

    public static Version Version { get; } = new(Major, Minor);

    /// <summary>True when a plugin built against <paramref name="builtAgainst"/> can run on this host.</summary>
    public static bool IsCompatible(Version builtAgainst) =>
        builtAgainst.Major == Major && builtAgainst.Minor <= Minor;
}
