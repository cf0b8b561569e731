namespace Shim.Toml.Tests;

/// <summary>Small accessors so tests read like the documents they check.</summary>
internal static class TomlAssert
{
    public static TomlTable Doc(string toml) => TomlParser.Parse(toml, "test.toml");

    public static object Value(string toml, string key = "a") => ((TomlValue)Doc(toml)[key]).Value;

    public static TomlException Rejects(string toml) => Should.Throw<TomlException>(() => TomlParser.Parse(toml, "test.toml"));

    public static TomlException Rejects(byte[] toml) => Should.Throw<TomlException>(() => TomlParser.Parse(toml, "test.toml"));

    public static TomlNode At(this TomlTable table, string dottedPath)
    {
        TomlNode node = table;
        foreach (var part in dottedPath.Split('.'))
            node = ((TomlTable)node)[part];
        return node;
    }
}
