namespace Shim.Configuration;

/// <summary>"key=value" of an annotation rule.</summary>
public sealed record AnnotationMatch(string Key, string Value)
{
    public override string ToString() => $"{Key}={Value}";
}
