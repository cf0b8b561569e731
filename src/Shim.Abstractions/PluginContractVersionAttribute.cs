namespace Shim.Abstractions;

/// <summary>
/// Declares the contract version a plugin assembly was built against. Write
/// <c>[assembly: PluginContractVersion(PluginContract.VersionText)]</c>: the constant is copied into the plugin at
/// compile time, so it records the contract the plugin saw, not the one the host ships.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class PluginContractVersionAttribute : Attribute
{
    public PluginContractVersionAttribute(string version) => Version = version;

    public string Version { get; }
}
