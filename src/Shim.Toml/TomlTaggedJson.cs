namespace Shim.Toml;

/// <summary>Writes a document in toml-test's tagged JSON form (see shared/toml-test/README.md).</summary>
public static class TomlTaggedJson
{
    public static string Write(TomlTable document) =>
        throw new NotImplementedException("tagged JSON writer is being written");
}
