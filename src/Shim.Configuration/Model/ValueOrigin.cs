using Shim.Toml;

namespace Shim.Configuration;

public enum OriginKind
{
    /// <summary>Not written anywhere: the built-in default (Kata's, or kataplug's for its own keys).</summary>
    Default,
    /// <summary>Written in a configuration file at <see cref="ValueOrigin.Position"/>.</summary>
    File,
    /// <summary>Set by a pod annotation; <see cref="ValueOrigin.Source"/> is the annotation key.</summary>
    Annotation,
}

/// <summary>Where an effective value came from, so `config check` and error messages can point at it.</summary>
public sealed record ValueOrigin(OriginKind Kind, string Source, TomlPosition Position = default, string? Note = null)
{
    public static ValueOrigin Default { get; } = new(OriginKind.Default, "default");

    public static ValueOrigin InFile(string source, TomlPosition position) => new(OriginKind.File, source, position);

    /// <summary>A whole file (no line), e.g. a file that cannot be read.</summary>
    public static ValueOrigin WholeFile(string source) => new(OriginKind.File, source);

    public static ValueOrigin FromAnnotation(string key, string? note = null) => new(OriginKind.Annotation, key, default, note);

    public override string ToString() => Kind switch
    {
        OriginKind.Default => Note is null ? "default" : $"default ({Note})",
        OriginKind.File when Position == default => Source,
        OriginKind.File when Note is not null => $"{Source}:{Position.Line}:{Position.Column} ({Note})",
        OriginKind.File => $"{Source}:{Position.Line}:{Position.Column}",
        _ => Note is null ? $"annotation {Source}" : $"annotation {Source} ({Note})",
    };
}
