namespace Shim.Configuration;

/// <summary>Who is loading: the shim (strict) or the operator CLI (may fall back to the embedded default).</summary>
public enum ConfigConsumer
{
    Shim,
    Cli,
}

/// <summary>Everything the configuration-file choice depends on, gathered by the caller (so the choice is pure).</summary>
/// <param name="RuntimeOptionsConfigPath">runtimeoptions.v1.Options.config_path (containerd runtime "ConfigPath"), or null.</param>
/// <param name="EnvironmentConfigFile">The value of KATAPLUG_CONF_FILE, or null.</param>
/// <param name="Annotations">The pod's annotations (io.katacontainers.config_path is considered), or null.</param>
/// <param name="ExplicitFile">A file named on the CLI command line; wins over everything.</param>
public sealed record ConfigSelectionInputs(
    ConfigConsumer Consumer,
    string? RuntimeOptionsConfigPath = null,
    string? EnvironmentConfigFile = null,
    IReadOnlyDictionary<string, string>? Annotations = null,
    string? ExplicitFile = null);

public enum ConfigSourceKind
{
    Argument,
    Annotation,
    RuntimeOptions,
    Environment,
    SystemDefault,
    EmbeddedDefault,
}

/// <summary>The chosen configuration file and why it was chosen. <see cref="Path"/> is null for the embedded default.</summary>
public sealed record ConfigFileChoice(ConfigSourceKind Kind, string? Path, string Reason)
{
    public string SourceName => Path ?? EmbeddedDefaultConfiguration.SourceName;

    public override string ToString() => $"{SourceName} ({Reason})";
}
