namespace Shim.Configuration;

/// <summary>The two file operations configuration selection needs; faked in tests so nothing reads /etc.</summary>
public interface IConfigurationFileSystem
{
    bool FileExists(string path);
    byte[] ReadAllBytes(string path);
}

public sealed class PhysicalConfigurationFileSystem : IConfigurationFileSystem
{
    public static PhysicalConfigurationFileSystem Instance { get; } = new();

    public bool FileExists(string path) => File.Exists(path);
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);
}
