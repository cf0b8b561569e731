using Shim.Abstractions;

namespace Shim.PluginHost.Views;

/// <summary>The real host file system, read-only, for plugins (socket checks, CDI spec files).</summary>
public sealed class HostFileView : IHostFileView
{
    private const long MaxReadBytes = 1 << 20;

    public HostFileKind GetKind(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists) return HostFileKind.Missing;
                return KindOf(target.FullName);
            }
            return KindOf(path);
        }
        catch (IOException)
        {
            return HostFileKind.Missing;
        }
        catch (UnauthorizedAccessException)
        {
            return HostFileKind.Other;
        }
    }

    private static HostFileKind KindOf(string path)
    {
        if (Directory.Exists(path)) return HostFileKind.Directory;
        if (!File.Exists(path) && !Path.Exists(path)) return HostFileKind.Missing;
        var attributes = File.GetAttributes(path);
        if (attributes.HasFlag(FileAttributes.Directory)) return HostFileKind.Directory;
        // .NET reports sockets, FIFOs and devices as "not normal"; tell them apart through the file type bits.
        var type = FileTypeBits(path);
        return type switch
        {
            0xC000 => HostFileKind.Socket,
            0x2000 => HostFileKind.CharacterDevice,
            0x8000 => HostFileKind.Regular,
            _ => HostFileKind.Other,
        };
    }

    private static int FileTypeBits(string path)
    {
        var info = Native.FileOwnership.Of(path);
        return info.TypeBits;
    }

    public string? ReadText(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (info.Length > MaxReadBytes) throw new IOException($"{path} is {info.Length} bytes; plugins may read at most {MaxReadBytes}");
        return File.ReadAllText(path);
    }

    public IReadOnlyList<string> ListDirectory(string path) =>
        Directory.Exists(path) ? Directory.GetFileSystemEntries(path).Order(StringComparer.Ordinal).ToList() : [];
}
