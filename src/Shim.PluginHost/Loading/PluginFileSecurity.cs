using Shim.PluginHost.Native;

namespace Shim.PluginHost.Loading;

/// <summary>
/// Refuses plugin trees an unprivileged user could have tampered with: every entry must be owned by a trusted uid and
/// not writable by group or others, and every path (symlinks resolved) must stay inside the plugins directory.
/// </summary>
internal sealed class PluginFileSecurity
{
    private const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private readonly PluginOwnerPolicy _policy;
    private readonly uint _currentUid = FileOwnership.EffectiveUid;

    public PluginFileSecurity(PluginOwnerPolicy policy) => _policy = policy;

    /// <summary>Checks the plugins directory itself; returns its canonical path or the reason it is unsafe.</summary>
    public (string? CanonicalRoot, string? Problem) CheckRoot(string pluginsDirectory)
    {
        var root = RealPath.Resolve(pluginsDirectory);
        if (root is null) return (null, $"plugins directory {pluginsDirectory} does not exist");
        var problem = CheckEntry(root, root);
        return problem is null ? (root, null) : (null, problem);
    }

    /// <summary>Checks a plugin directory and everything below it; returns the first problem, or null when safe.</summary>
    public string? CheckTree(string canonicalRoot, string pluginDirectory)
    {
        var problem = CheckEntry(pluginDirectory, canonicalRoot);
        if (problem is not null) return problem;
        // Walk the canonical tree. Directory symlinks are checked as entries but not descended into: assemblies are
        // only ever loaded from inside the canonical plugin directory, which this walk covers completely (and a link
        // loop cannot trap it).
        return Walk(new DirectoryInfo(RealPath.Resolve(pluginDirectory)!), canonicalRoot);
    }

    private string? Walk(DirectoryInfo directory, string canonicalRoot)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            var problem = CheckEntry(entry.FullName, canonicalRoot);
            if (problem is not null) return problem;
            if (entry is DirectoryInfo sub && sub.LinkTarget is null)
            {
                problem = Walk(sub, canonicalRoot);
                if (problem is not null) return problem;
            }
        }
        return null;
    }

    private string? CheckEntry(string path, string canonicalRoot)
    {
        var resolved = RealPath.Resolve(path);
        if (resolved is null) return $"{path} is a dangling symlink";
        if (!RealPath.IsWithin(resolved, canonicalRoot))
            return $"{path} resolves to {resolved}, outside the plugins directory {canonicalRoot}: copy the plugin files into it instead of linking";
        // The symlink's own mode is meaningless (always 0777); its target is what gets loaded.
        var info = FileOwnership.Of(resolved);
        if (_policy == PluginOwnerPolicy.RootOrCurrentUser && info.Uid != 0 && info.Uid != _currentUid)
            return $"{resolved} is owned by uid {info.Uid}, not root: plugins run as root, so `chown root {resolved}`";
        if ((info.Mode & GroupOrOtherWrite) != 0)
            return $"{resolved} has mode {Convert.ToString((int)info.Mode, 8).PadLeft(4, '0')}, writable by group or others: `chmod go-w {resolved}`";
        return null;
    }
}
