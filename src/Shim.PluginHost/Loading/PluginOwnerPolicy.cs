namespace Shim.PluginHost.Loading;

/// <summary>Who may own plugin files. Plugins run as root inside the shim, so the default trusts only root and the current user.</summary>
public enum PluginOwnerPolicy
{
    /// <summary>Owned by uid 0 or by the effective uid of this process (which is 0 for the shim). The default.</summary>
    RootOrCurrentUser,

    /// <summary>Any owner. Only for tests that build plugins as an unprivileged user; never a production setting.</summary>
    AnyOwnerTestsOnly,
}
