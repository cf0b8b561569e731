namespace Shim.Configuration;

/// <summary>The configuration is invalid. Carries every problem found, not only the first.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(IReadOnlyList<ConfigurationProblem> problems)
        : base(FormatMessage(problems)) => Problems = problems;

    public IReadOnlyList<ConfigurationProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<ConfigurationProblem> problems) =>
        problems.Count == 1
            ? $"invalid kataplug configuration: {problems[0]}"
            : $"invalid kataplug configuration ({problems.Count} problems):{Environment.NewLine}"
              + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}
