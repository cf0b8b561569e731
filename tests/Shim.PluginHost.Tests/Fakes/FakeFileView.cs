using Shim.Abstractions;

namespace Shim.PluginHost.Tests.Fakes;

/// <summary>An in-memory host file system: paths with a kind and optional text.</summary>
public sealed class FakeFileView : IHostFileView
{
    private readonly Dictionary<string, (HostFileKind Kind, string? Text)> _entries = new(StringComparer.Ordinal);

    public FakeFileView Socket(string path) => Set(path, HostFileKind.Socket, null);

    public FakeFileView File(string path, string text) => Set(path, HostFileKind.Regular, text);

    private FakeFileView Set(string path, HostFileKind kind, string? text)
    {
        _entries[path] = (kind, text);
        return this;
    }

    public HostFileKind GetKind(string path) =>
        _entries.TryGetValue(path, out var e) ? e.Kind
        : _entries.Keys.Any(k => k.StartsWith(path + "/", StringComparison.Ordinal)) ? HostFileKind.Directory
        : HostFileKind.Missing;

    public string? ReadText(string path) => _entries.TryGetValue(path, out var e) ? e.Text : null;

    public IReadOnlyList<string> ListDirectory(string path) =>
        _entries.Keys.Where(k => k.StartsWith(path + "/", StringComparison.Ordinal) && !k[(path.Length + 1)..].Contains('/'))
            .Order(StringComparer.Ordinal).ToList();
}
