namespace Shim.PluginHost.Loading;

/// <summary>Where plugins are and how strictly their files are checked.</summary>
/// <param name="PluginsDirectory">Holds one sub-directory per plugin: <c>&lt;dir&gt;/&lt;Name&gt;/&lt;Name&gt;.dll</c> or a <c>plugin.json</c> manifest.</param>
public sealed record PluginLoaderOptions(string PluginsDirectory)
{
    public PluginOwnerPolicy OwnerPolicy { get; init; } = PluginOwnerPolicy.RootOrCurrentUser;

    /// <summary>Load each plugin into a collectible context (lets a long-lived tool unload them; the shim does not need it).</summary>
    public bool Collectible { get; init; }

    /// <summary>The configuration's default (<c>[plugins] directory</c>).</summary>
    public const string DefaultPluginsDirectory = "/opt/kataplug/plugins";
}
