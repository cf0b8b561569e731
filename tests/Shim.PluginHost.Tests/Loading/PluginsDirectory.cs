using System.Runtime.InteropServices;

namespace Shim.PluginHost.Tests.Loading;

/// <summary>A temporary plugins directory filled with fixture plugin builds (copied from plugin-fixtures/).</summary>
public sealed partial class PluginsDirectory : IDisposable
{
    private const UnixFileMode DirMode = (UnixFileMode)0b111_101_101;  // 0755
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100; // 0644

    public PluginsDirectory()
    {
        Root = Directory.CreateTempSubdirectory("kataplug-plugins-").FullName;
        File.SetUnixFileMode(Root, DirMode);
        Outside = Directory.CreateTempSubdirectory("kataplug-outside-").FullName;
        File.SetUnixFileMode(Outside, DirMode);
    }

    public string Root { get; }

    /// <summary>A directory outside <see cref="Root"/>, for symlink escapes.</summary>
    public string Outside { get; }

    public static string FixtureBuild(string fixture) => Path.Combine(AppContext.BaseDirectory, "plugin-fixtures", fixture);

    /// <summary>Copies fixture <paramref name="fixture"/> into <c>Root/&lt;as&gt;/</c>, renaming the entry files when <paramref name="as"/> differs.</summary>
    public string Add(string fixture, string? @as = null, string? under = null, bool renameFiles = true)
    {
        var name = @as ?? fixture;
        var target = Path.Combine(under ?? Root, name);
        Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, DirMode);
        var source = FixtureBuild(fixture);
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"fixture build {source} is missing: build tests/Shim.PluginHost.Tests");
        foreach (var file in Directory.GetFiles(source))
        {
            var fileName = Path.GetFileName(file);
            if (renameFiles && fileName.StartsWith(fixture + ".", StringComparison.Ordinal)) fileName = name + fileName[fixture.Length..];
            var dest = Path.Combine(target, fileName);
            File.Copy(file, dest, overwrite: true);
            File.SetUnixFileMode(dest, FileMode);
        }
        return target;
    }

    public static void Chown(string path, uint uid, uint gid)
    {
        if (chown(path, uid, gid) != 0)
            throw new IOException($"chown {path} {uid}:{gid} failed with errno {Marshal.GetLastPInvokeError()}: the Loading tests run as root");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        Directory.Delete(Outside, recursive: true);
    }
}
