using Shim.Abstractions;

[assembly: PluginContractVersion(PluginContract.VersionText)]
