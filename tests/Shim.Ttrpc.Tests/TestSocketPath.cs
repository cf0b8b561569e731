namespace Shim.Ttrpc.Tests;

/// <summary>A unique short socket path (unix paths are limited to 107 bytes), removed on dispose.</summary>
internal sealed class TestSocketPath : IDisposable
{
    public TestSocketPath()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ttrpc-").FullName;
        Path = System.IO.Path.Combine(Directory, "s.sock");
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
