namespace Shim.Abstractions;

/// <summary>What a path is on the host, without following a final symlink's target being inspected twice.</summary>
public enum HostFileKind
{
    Missing,
    Regular,
    Directory,
    Socket,
    CharacterDevice,
    Symlink,
    Other,
}

/// <summary>Read-only host file-system access for plugins: stat, small reads, directory listings. Nothing writes.</summary>
public interface IHostFileView
{
    /// <summary>The kind of <paramref name="path"/> after following symlinks (Missing when it or its target is absent).</summary>
    HostFileKind GetKind(string path);

    /// <summary>Text of a small file (at most 1 MiB), or null when it is missing.</summary>
    string? ReadText(string path);

    /// <summary>Full paths of the entries of a directory, sorted; empty when it is missing.</summary>
    IReadOnlyList<string> ListDirectory(string path);
}
