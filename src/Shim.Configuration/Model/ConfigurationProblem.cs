namespace Shim.Configuration;

/// <summary>One thing wrong with a configuration. <see cref="ToString"/> gives the one-line form
/// "file:line:col: [section] key = value: what is allowed".</summary>
/// <param name="Where">The file position or annotation that holds the offending value.</param>
/// <param name="Section">TOML table, e.g. "hypervisor.qemu"; empty for document-level problems.</param>
/// <param name="Key">The key; empty for document-level problems.</param>
/// <param name="Value">The offending value rendered as TOML (or the annotation text); null if not applicable.</param>
/// <param name="Message">What is wrong and what is allowed / how to fix it.</param>
public sealed record ConfigurationProblem(ValueOrigin Where, string Section, string Key, string? Value, string Message)
{
    public override string ToString()
    {
        var subject = (Section, Key) switch
        {
            ("", "") => "",
            ("", _) => Key,
            (_, "") => Bracket(Section),
            _ => $"{Bracket(Section)} {Key}",
        };
        if (Value is not null && subject.Length > 0) subject += $" = {Value}";
        return subject.Length == 0 ? $"{Where}: {Message}" : $"{Where}: {subject}: {Message}";
    }

    // "[[plugins.rule]] #2" is already bracketed.
    internal static string Bracket(string section) => section.StartsWith('[') ? section : $"[{section}]";
}
