namespace Shim.Configuration;

/// <summary>Parses command-line `--annotation KEY=VALUE` arguments (shared by every CLI command that takes them).</summary>
public static class AnnotationArguments
{
    /// <summary>The pairs as a dictionary; each malformed or repeated argument adds one line to <paramref name="problems"/>.</summary>
    public static Dictionary<string, string> Parse(IReadOnlyList<string> arguments, ICollection<string> problems)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            var eq = argument.IndexOf('=');
            if (eq <= 0) problems.Add($"--annotation {argument}: expected KEY=VALUE, e.g. io.katacontainers.config.hypervisor.pcie_root_port=4");
            else if (!annotations.TryAdd(argument[..eq], argument[(eq + 1)..])) problems.Add($"--annotation {argument}: {argument[..eq]} is given twice");
        }
        return annotations;
    }
}
