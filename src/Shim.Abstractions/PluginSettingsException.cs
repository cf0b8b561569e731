namespace Shim.Abstractions;

/// <summary>A plugin setting has the wrong type or value; <see cref="Key"/> is the full configuration key to fix.</summary>
public sealed class PluginSettingsException : Exception
{
    public PluginSettingsException(string key, string message) : base(message) => Key = key;

    public string Key { get; }
}
