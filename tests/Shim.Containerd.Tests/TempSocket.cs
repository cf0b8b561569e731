namespace Shim.Containerd.Tests;

/// <summary>A short, unique unix socket path in a fresh temp directory (removed on dispose).</summary>
public sealed class TempSocket : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("kpt-").FullName;

    public string Path => System.IO.Path.Combine(directory, "s.sock");

    public string Directory_ => directory;

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
