namespace Shim.Configuration;

/// <summary>`kataplug config check`: the whole command except argument parsing, so it can be tested with
/// a fake file system and string writers.</summary>
public static class ConfigCheck
{
    /// <param name="file">FILE argument, or null to use the precedence (environment, /etc, embedded default).</param>
    /// <param name="annotationArguments">"key=value" pairs from --annotation.</param>
    /// <param name="environmentConfigFile">The value of KATAPLUG_CONF_FILE, or null.</param>
    /// <returns>0 when valid; 1 with every problem on <paramref name="error"/>, one per line.</returns>
    public static int Run(
        string? file,
        IReadOnlyList<string> annotationArguments,
        string? environmentConfigFile,
        bool showIgnored,
        IConfigurationFileSystem files,
        TextWriter output,
        TextWriter error)
    {
        var argumentProblems = new List<string>();
        var annotations = AnnotationArguments.Parse(annotationArguments, argumentProblems);
        if (argumentProblems.Count > 0)
        {
            foreach (var p in argumentProblems) error.WriteLine(p);
            return 1;
        }

        LoadedConfiguration loaded;
        try
        {
            loaded = ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Cli, EnvironmentConfigFile: environmentConfigFile,
                Annotations: annotations.Count > 0 ? annotations : null, ExplicitFile: file), files);
        }
        catch (ConfigurationException e)
        {
            foreach (var p in e.Problems) error.WriteLine(p.ToString());
            error.WriteLine($"kataplug config check: {e.Problems.Count} problem{(e.Problems.Count == 1 ? "" : "s")}; the configuration is invalid");
            return 1;
        }

        var c = loaded.Configuration;
        output.WriteLine($"# kataplug effective configuration from {loaded.Source}");
        if (annotations.Count > 0) output.WriteLine($"# with {annotations.Count} annotation{(annotations.Count == 1 ? "" : "s")}");
        output.WriteLine("# each value is followed by its origin: default, file:line:column or annotation");
        output.WriteLine();
        output.Write(ConfigurationDescription.Format(c));
        output.WriteLine();
        if (showIgnored)
        {
            foreach (var ignored in c.IgnoredKeys) output.WriteLine($"# ignored: {ignored}");
        }
        else if (c.IgnoredKeys.Length > 0)
        {
            output.WriteLine($"# {c.IgnoredKeys.Length} key{(c.IgnoredKeys.Length == 1 ? "" : "s")} ignored (not used by kataplug); list them with --show-ignored");
        }
        output.WriteLine("# the configuration is valid");
        return 0;
    }
}
