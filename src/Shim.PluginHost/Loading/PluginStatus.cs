namespace Shim.PluginHost.Loading;

/// <summary>The outcome of loading one plugin directory.</summary>
public enum PluginStatus
{
    Loaded,
    Refused,
}

/// <summary>Why a plugin was refused.</summary>
public enum PluginRefusal
{
    None,
    UnsafeFiles,
    NoEntryAssembly,
    BadManifest,
    LoadFailed,
    NoPluginType,
    IncompatibleContract,
    ConstructorFailed,
    DuplicateName,
}
