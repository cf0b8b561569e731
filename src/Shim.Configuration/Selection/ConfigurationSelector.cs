namespace Shim.Configuration;

/// <summary>The effective configuration and the file it came from.</summary>
public sealed record LoadedConfiguration(KataplugConfiguration Configuration, ConfigFileChoice Source);

/// <summary>Chooses the file (<see cref="ConfigFileResolver"/>), reads it and loads it with the pod's annotations.
/// This is what the shim calls at sandbox creation and what `kataplug config check` calls.</summary>
public static class ConfigurationSelector
{
    /// <summary>Throws <see cref="ConfigurationException"/> with every problem found.</summary>
    public static LoadedConfiguration Load(ConfigSelectionInputs inputs, IConfigurationFileSystem files)
    {
        var choice = ConfigFileResolver.ResolveBase(inputs, files.FileExists);
        if (inputs.Annotations is { } annotations && annotations.ContainsKey(KataAnnotations.ConfigPath))
        {
            // The base file decides whether the pod may pick another one; it must itself be valid.
            var baseConfiguration = ConfigurationLoader.Load(Read(choice, files), choice.SourceName);
            choice = ConfigFileResolver.ResolveAnnotation(annotations, baseConfiguration, files.FileExists) ?? choice;
        }
        return new LoadedConfiguration(ConfigurationLoader.Load(Read(choice, files), choice.SourceName, inputs.Annotations), choice);
    }

    private static byte[] Read(ConfigFileChoice choice, IConfigurationFileSystem files)
    {
        if (choice.Path is null) return EmbeddedDefaultConfiguration.ReadBytes();
        try
        {
            return files.ReadAllBytes(choice.Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([new ConfigurationProblem(ValueOrigin.WholeFile(choice.Path), "", "", null,
                $"cannot read the configuration file ({choice.Reason}): {e.Message}")]);
        }
    }
}
