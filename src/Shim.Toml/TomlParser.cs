namespace Shim.Toml;

/// <summary>Entry point: parses a whole TOML 1.0.0 document.</summary>
public static class TomlParser
{
    /// <summary>Parses UTF-8 bytes (invalid UTF-8 is an error, not replaced).</summary>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string sourceName = "<toml>") =>
        throw new NotImplementedException("Shim.Toml parser is being written");

    public static TomlTable Parse(string text, string sourceName = "<toml>") =>
        throw new NotImplementedException("Shim.Toml parser is being written");
}
