namespace Shim.Lab.Tests;

/// <summary>What one `hack/lab/run.sh` invocation printed: its exit code, output, and the PASS/FAIL lines.</summary>
public sealed record LabResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public IReadOnlyList<string> Passes => Lines("PASS ");
    public IReadOnlyList<string> Fails => Lines("FAIL ");

    /// <summary>True when a `PASS &lt;check&gt;` line names this check.</summary>
    public bool Passed(string check) => Passes.Any(l => l == "PASS " + check || l.StartsWith("PASS " + check + " ", StringComparison.Ordinal));

    private List<string> Lines(string prefix) =>
        Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
}
