using System.Text;

namespace Shim.PluginHost.Loading;

/// <summary>
/// Keeps the loaded <see cref="PluginCatalog"/> of a plugins directory for the life of the process. The shim daemon
/// loads it once during its warm-up and every Create reuses it: loading again would build new load contexts whose
/// code is not yet compiled, which costs a cold Create tens of milliseconds. A catalog is reused only while a stat
/// walk of the directory (names, sizes, modification times, modes, link targets) matches the one taken when it was
/// loaded, so a plugin replaced on disk is loaded afresh (a chown alone changes none of these: touch the directory).
/// </summary>
public sealed class PluginCatalogCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Directory, PluginOwnerPolicy Policy), (string Fingerprint, PluginCatalog Catalog)> _catalogs = [];

    /// <summary>The process-wide cache (the shim daemon's warm-up fills it, Create reads it).</summary>
    public static PluginCatalogCache Shared { get; } = new();

    /// <summary>How many times a catalog was loaded rather than reused.</summary>
    public int Loads { get; private set; }

    /// <summary>
    /// The catalog of <paramref name="pluginsDirectory"/>, loaded now or reused. Concurrent callers wait for one
    /// load instead of loading twice (Create arriving while the warm-up loads).
    /// </summary>
    public PluginCatalog Get(string pluginsDirectory, PluginOwnerPolicy ownerPolicy)
    {
        var key = (Path.GetFullPath(pluginsDirectory), ownerPolicy);
        lock (_gate)
        {
            var fingerprint = Fingerprint(key.Item1);
            if (_catalogs.TryGetValue(key, out var cached) && cached.Fingerprint == fingerprint)
            {
                return cached.Catalog;
            }
            var catalog = new PluginLoader(new PluginLoaderOptions(pluginsDirectory) { OwnerPolicy = ownerPolicy }).LoadAll();
            Loads++;
            // Taken before the load: a change during the load makes the next caller load again, never miss it.
            _catalogs[key] = (fingerprint, catalog);
            return catalog;
        }
    }

    private static string Fingerprint(string directory)
    {
        var text = new StringBuilder();
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            return "missing";
        }
        Append(text, root, ".");
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        var entries = root.EnumerateFileSystemInfos("*", options).OrderBy(e => e.FullName, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            Append(text, entry, Path.GetRelativePath(directory, entry.FullName));
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, FileSystemInfo entry, string name)
    {
        text.Append(name).Append('|').Append(entry.LastWriteTimeUtc.Ticks).Append('|').Append((int)entry.UnixFileMode);
        if (entry is FileInfo file)
        {
            text.Append('|').Append(file.Length);
        }
        if (entry.LinkTarget is { } target)
        {
            text.Append("|->").Append(target);
        }
        text.Append('\n');
    }
}
