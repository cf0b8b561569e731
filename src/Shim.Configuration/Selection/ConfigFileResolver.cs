using System.Collections.Immutable;

namespace Shim.Configuration;

/// <summary>Kata's configuration-file precedence, as a pure function of its inputs:
/// (CLI argument) → pod annotation io.katacontainers.config_path, only if the base file's enable_annotations
/// lists "config_path" → runtime options ConfigPath → $KATAPLUG_CONF_FILE → /etc/kataplug/configuration.toml →
/// (CLI only) the embedded default. A source that is named but missing is an error, never skipped: the operator
/// asked for that file.</summary>
public static class ConfigFileResolver
{
    public const string EnvironmentVariable = "KATAPLUG_CONF_FILE";
    public const string SystemDefaultPath = "/etc/kataplug/configuration.toml";

    /// <summary>Where the shim accepts $KATAPLUG_CONF_FILE from (Kata 4 restricts KATA_CONF_FILE to shipped paths).</summary>
    public static ImmutableArray<string> ShippedDirectories { get; } = ["/etc/kataplug/", "/opt/kataplug/", "/usr/share/kataplug/"];

    /// <summary>The file to load before annotations are considered. Throws <see cref="ConfigurationException"/>.</summary>
    public static ConfigFileChoice ResolveBase(ConfigSelectionInputs inputs, Func<string, bool> fileExists)
    {
        if (!string.IsNullOrEmpty(inputs.ExplicitFile))
            return Existing(new ConfigFileChoice(ConfigSourceKind.Argument, inputs.ExplicitFile, "command-line argument"), fileExists, "FILE argument");

        if (!string.IsNullOrEmpty(inputs.RuntimeOptionsConfigPath))
            return Existing(Absolute(new ConfigFileChoice(ConfigSourceKind.RuntimeOptions, inputs.RuntimeOptionsConfigPath, "runtime options ConfigPath"),
                "set options ConfigPath in the containerd runtime entry to an absolute path"), fileExists, "the containerd runtime entry's options ConfigPath");

        if (!string.IsNullOrEmpty(inputs.EnvironmentConfigFile))
        {
            var choice = Absolute(new ConfigFileChoice(ConfigSourceKind.Environment, inputs.EnvironmentConfigFile, $"environment {EnvironmentVariable}"),
                $"set {EnvironmentVariable} to an absolute path");
            if (inputs.Consumer == ConfigConsumer.Shim)
            {
                var full = System.IO.Path.GetFullPath(choice.Path!);
                if (!ShippedDirectories.Any(d => full.StartsWith(d, StringComparison.Ordinal)))
                    throw Problem(choice, $"{EnvironmentVariable}={inputs.EnvironmentConfigFile}: the shim accepts only files under "
                        + $"{string.Join(", ", ShippedDirectories)}; use the runtime options ConfigPath for other locations");
                choice = choice with { Path = full };
            }
            return Existing(choice, fileExists, $"{EnvironmentVariable}");
        }

        if (fileExists(SystemDefaultPath))
            return new ConfigFileChoice(ConfigSourceKind.SystemDefault, SystemDefaultPath, "default path");

        if (inputs.Consumer == ConfigConsumer.Cli)
            return new ConfigFileChoice(ConfigSourceKind.EmbeddedDefault, null, $"no FILE, no {EnvironmentVariable}, no {SystemDefaultPath}");

        throw Problem(new ConfigFileChoice(ConfigSourceKind.SystemDefault, SystemDefaultPath, "default path"),
            $"no configuration file: set options ConfigPath in the containerd runtime entry, or create {SystemDefaultPath} "
            + "(`kataplug config check` prints the defaults)");
    }

    /// <summary>The annotation's file if the pod asks for one and the base configuration allows it; null if the pod
    /// does not ask. Throws when it asks and is not allowed (naming enable_annotations) or the file is missing.</summary>
    public static ConfigFileChoice? ResolveAnnotation(
        IReadOnlyDictionary<string, string>? annotations, KataplugConfiguration baseConfiguration, Func<string, bool> fileExists)
    {
        if (annotations is null || !annotations.TryGetValue(KataAnnotations.ConfigPath, out var path)) return null;
        var enable = baseConfiguration.Hypervisor.EnableAnnotations;
        if (!AnnotationAllowList.Create(enable.Value).AllowsConfigPath)
            throw new ConfigurationException([new ConfigurationProblem(ValueOrigin.FromAnnotation(KataAnnotations.ConfigPath), "",
                KataAnnotations.ConfigPath, Loading.TomlText.Quote(path),
                $"annotation not enabled: a pod may choose the configuration file only if [hypervisor.qemu] enable_annotations in "
                + $"{baseConfiguration.SourceName} contains the exact entry \"{KataAnnotations.ConfigPathAllowEntry}\" "
                + $"(now [{Loading.ValueParsers.AllowedList(enable.Value)}], {enable.Origin}); remove the annotation or add the entry")]);
        var choice = Absolute(new ConfigFileChoice(ConfigSourceKind.Annotation, path, $"annotation {KataAnnotations.ConfigPath}"),
            "the annotation must hold an absolute path");
        return Existing(choice, fileExists, $"annotation {KataAnnotations.ConfigPath}");
    }

    private static ConfigFileChoice Absolute(ConfigFileChoice choice, string fix) =>
        System.IO.Path.IsPathRooted(choice.Path) ? choice : throw Problem(choice, $"{choice.Path} is not an absolute path: {fix}");

    private static ConfigFileChoice Existing(ConfigFileChoice choice, Func<string, bool> fileExists, string namedBy) =>
        fileExists(choice.Path!) ? choice : throw Problem(choice, $"file not found; it is named by {namedBy}: create it or fix the path");

    private static ConfigurationException Problem(ConfigFileChoice choice, string message) =>
        new([new ConfigurationProblem(ValueOrigin.WholeFile(choice.Path ?? choice.SourceName), "", "", null, message)]);
}
