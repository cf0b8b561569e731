using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>A value as written: either a TOML node from the file or the text of an annotation.</summary>
internal sealed record RawInput(TomlNode? Node, string? Text, ValueOrigin Origin)
{
    public static RawInput FromNode(TomlNode node, string source) => new(node, null, ValueOrigin.InFile(source, node.Position));

    public static RawInput FromAnnotation(string annotationKey, string text) => new(null, text, ValueOrigin.FromAnnotation(annotationKey));

    public bool IsAnnotation => Node is null;

    /// <summary>The value as it should appear in a message: TOML syntax for file values, quoted text for annotations.</summary>
    public string Render() => Node is not null ? TomlText.Render(Node) : TomlText.Quote(Text ?? "");
}

/// <summary>Result of converting a raw value: the value, or why it is not acceptable.</summary>
internal readonly record struct Parsed<T>(bool Ok, T Value, string? Error, string? Note = null)
{
    public static Parsed<T> Success(T value, string? note = null) => new(true, value, null, note);
    public static Parsed<T> Failure(string error) => new(false, default!, error);
}
