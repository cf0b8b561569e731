namespace Shim.Configuration;

/// <summary>config/configuration.toml, embedded at build time: the CLI's last fallback and the documented sample.</summary>
public static class EmbeddedDefaultConfiguration
{
    public const string SourceName = "embedded:configuration.toml";
    private const string ResourceName = "Shim.Configuration.configuration.toml";

    public static byte[] ReadBytes()
    {
        using var stream = typeof(EmbeddedDefaultConfiguration).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from Shim.Configuration: check the EmbeddedResource item in Shim.Configuration.csproj");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
