using System.Reflection;
using System.Runtime.Loader;
using Shim.Abstractions;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Loading;

/// <summary>
/// One load context per plugin: its own dependencies come from its directory (through its deps.json), so two plugins
/// may use different versions of a library; the contract assembly is always the host's, so types match.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly Assembly Contract = typeof(IEndpointPlugin).Assembly;
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _pluginDirectory;

    public PluginLoadContext(string name, string entryAssemblyPath, string canonicalPluginDirectory, bool collectible)
        : base($"plugin:{name}", collectible)
    {
        _resolver = new AssemblyDependencyResolver(entryAssemblyPath);
        _pluginDirectory = canonicalPluginDirectory;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The contract is shared whatever version the plugin references; the attribute check decides compatibility.
        if (string.Equals(assemblyName.Name, Contract.GetName().Name, StringComparison.Ordinal)) return Contract;
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null) return null; // framework assemblies: the default context
        return LoadFromAssemblyPath(Inside(path, assemblyName.FullName));
    }

    protected override nint LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? 0 : LoadUnmanagedDllFromPath(Inside(path, unmanagedDllName));
    }

    private string Inside(string path, string what)
    {
        var real = RealPath.Resolve(path) ?? path;
        if (!RealPath.IsWithin(real, _pluginDirectory))
            throw new FileLoadException(
                $"{what} resolves to {real}, outside the plugin directory {_pluginDirectory}: publish the plugin with its dependencies (dotnet publish)");
        return real;
    }
}
