using System.Runtime.Loader;
using Shim.Abstractions;

namespace Shim.PluginHost.Loading;

/// <summary>A plugin instance and the load context that holds its assemblies.</summary>
public sealed record LoadedPlugin(IEndpointPlugin Plugin, PluginCatalogEntry Entry, AssemblyLoadContext LoadContext)
{
    public string Name => Plugin.Name;
}
