using System.Reflection;
using Shim.Abstractions;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Loading;

/// <summary>
/// Loads every plugin directory under the plugins directory into its own load context, after checking ownership,
/// modes and symlinks, and checks the contract version each was built against. A failing plugin is refused with the
/// reason; it never stops the others from loading.
/// </summary>
public sealed class PluginLoader
{
    private readonly PluginLoaderOptions _options;

    public PluginLoader(PluginLoaderOptions options) => _options = options;

    public PluginCatalog LoadAll()
    {
        var security = new PluginFileSecurity(_options.OwnerPolicy);
        var (root, rootProblem) = security.CheckRoot(_options.PluginsDirectory);
        if (root is null) return new PluginCatalog(_options.PluginsDirectory, [], [], rootProblem);

        var entries = new List<PluginCatalogEntry>();
        var loaded = new List<LoadedPlugin>();
        foreach (var dir in Directory.EnumerateDirectories(_options.PluginsDirectory).Order(StringComparer.Ordinal))
        {
            var result = LoadOne(security, root, dir);
            if (result.Plugin is not null && loaded.FirstOrDefault(p => p.Name == result.Plugin.Name) is { } clash)
            {
                result = (null, PluginCatalogEntry.Refused(result.Entry.DirectoryName, dir, PluginRefusal.DuplicateName,
                    $"plugin name {clash.Name} is already provided by {clash.Entry.Directory}: remove one of the two directories", result.Entry.AssemblyPath));
            }
            entries.Add(result.Entry);
            if (result.Plugin is not null) loaded.Add(result.Plugin);
        }
        return new PluginCatalog(_options.PluginsDirectory, entries, loaded);
    }

    private (LoadedPlugin? Plugin, PluginCatalogEntry Entry) LoadOne(PluginFileSecurity security, string root, string dir)
    {
        var dirName = Path.GetFileName(dir);
        PluginCatalogEntry Refuse(PluginRefusal why, string reason, string? assembly = null, string? contract = null) =>
            PluginCatalogEntry.Refused(dirName, dir, why, reason, assembly, contract);

        string? unsafeReason;
        try
        {
            unsafeReason = security.CheckTree(root, dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            unsafeReason = $"{dir} could not be checked: {e.Message}";
        }
        if (unsafeReason is not null) return (null, Refuse(PluginRefusal.UnsafeFiles, unsafeReason));

        var (assemblyPath, refusal, problem) = PluginManifest.FindEntryAssembly(dir, dirName);
        if (assemblyPath is null) return (null, Refuse(refusal, problem!));
        var canonicalDir = RealPath.Resolve(dir)!;
        var canonicalAssembly = RealPath.Resolve(assemblyPath)!;

        var context = new PluginLoadContext(dirName, canonicalAssembly, canonicalDir, _options.Collectible);
        var (plugin, entry) = LoadInto(context, dirName, dir, canonicalAssembly);
        // A refused plugin's assemblies are dropped when the context can be unloaded.
        if (plugin is null && _options.Collectible) context.Unload();
        return (plugin, entry);
    }

    private static (LoadedPlugin? Plugin, PluginCatalogEntry Entry) LoadInto(PluginLoadContext context, string dirName, string dir, string canonicalAssembly)
    {
        PluginCatalogEntry Refuse(PluginRefusal why, string reason, string? assembly = null, string? contract = null) =>
            PluginCatalogEntry.Refused(dirName, dir, why, reason, assembly, contract);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(canonicalAssembly);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or IOException)
        {
            return (null, Refuse(PluginRefusal.LoadFailed, $"{canonicalAssembly} could not be loaded: {e.Message}", canonicalAssembly));
        }

        var contract = DeclaredContractVersion(assembly);
        if (contract is null || !Version.TryParse(contract, out var contractVersion))
            return (null, Refuse(PluginRefusal.IncompatibleContract,
                $"{canonicalAssembly} does not declare a usable plugin contract version (found \"{contract}\"): add [assembly: PluginContractVersion(PluginContract.VersionText)] and rebuild",
                canonicalAssembly, contract));
        if (!PluginContract.IsCompatible(contractVersion))
            return (null, Refuse(PluginRefusal.IncompatibleContract,
                $"{canonicalAssembly} was built against plugin contract {contract}, but this host implements contract {PluginContract.VersionText} " +
                $"(needs major {PluginContract.Major} and minor <= {PluginContract.Minor}): rebuild the plugin against Shim.Abstractions {PluginContract.VersionText}",
                canonicalAssembly, contract));

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e)
        {
            return (null, Refuse(PluginRefusal.LoadFailed, $"{canonicalAssembly}: its types could not be loaded ({Describe(e)}); are its dependencies next to it?", canonicalAssembly, contract));
        }
        var pluginTypes = types.Where(t => typeof(IEndpointPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null).ToList();
        if (pluginTypes.Count != 1)
            return (null, Refuse(PluginRefusal.NoPluginType,
                pluginTypes.Count == 0
                    ? $"{canonicalAssembly} has no public class implementing IEndpointPlugin with a public parameterless constructor"
                    : $"{canonicalAssembly} has {pluginTypes.Count} plugin classes ({string.Join(", ", pluginTypes.Select(t => t.FullName))}); put each in its own assembly",
                canonicalAssembly, contract));

        IEndpointPlugin plugin;
        string name, version;
        IReadOnlyList<EndpointKind> kinds;
        try
        {
            plugin = (IEndpointPlugin)Activator.CreateInstance(pluginTypes[0])!;
            name = plugin.Name;
            version = plugin.Version.ToString();
            kinds = plugin.Kinds.ToList();
        }
        catch (Exception e)
        {
            return (null, Refuse(PluginRefusal.ConstructorFailed, $"{pluginTypes[0].FullName} in {canonicalAssembly} failed to start: {Describe(e)}", canonicalAssembly, contract));
        }
        if (string.IsNullOrWhiteSpace(name))
            return (null, Refuse(PluginRefusal.ConstructorFailed, $"{pluginTypes[0].FullName} in {canonicalAssembly} has an empty Name", canonicalAssembly, contract));

        var entry = new PluginCatalogEntry(dirName, dir, PluginStatus.Loaded, PluginRefusal.None, null, canonicalAssembly, name, version, contract, kinds);
        return (new LoadedPlugin(plugin, entry, context), entry);
    }

    private static string? DeclaredContractVersion(Assembly assembly)
    {
        // Prefer the attribute; fall back to the referenced contract assembly's version (major.minor).
        var declared = assembly.GetCustomAttribute<PluginContractVersionAttribute>()?.Version;
        if (declared is not null) return declared;
        var reference = assembly.GetReferencedAssemblies().FirstOrDefault(r => r.Name == typeof(IEndpointPlugin).Assembly.GetName().Name);
        return reference?.Version is { } v ? $"{v.Major}.{v.Minor}" : null;
    }

    private static string Describe(Exception e)
    {
        var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
        if (inner is ReflectionTypeLoadException rtle && rtle.LoaderExceptions.FirstOrDefault(x => x is not null) is { } first)
            return $"{inner.GetType().Name}: {first.Message}";
        return $"{inner.GetType().Name}: {inner.Message}";
    }
}
