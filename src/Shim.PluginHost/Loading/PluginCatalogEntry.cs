using Shim.Abstractions;

namespace Shim.PluginHost.Loading;

/// <summary>One plugin directory that was found, and what became of it.</summary>
/// <param name="DirectoryName">The sub-directory name (e.g. <c>PhysicalVf</c>).</param>
/// <param name="Name">The plugin's own name (e.g. <c>physical-vf</c>) once loaded; otherwise null.</param>
/// <param name="Reason">Why it was refused (names the file and the fix), null when loaded.</param>
public sealed record PluginCatalogEntry(
    string DirectoryName,
    string Directory,
    PluginStatus Status,
    PluginRefusal Refusal,
    string? Reason,
    string? AssemblyPath,
    string? Name,
    string? Version,
    string? ContractVersion,
    IReadOnlyList<EndpointKind> Kinds)
{
    public static PluginCatalogEntry Refused(string directoryName, string directory, PluginRefusal refusal, string reason, string? assemblyPath = null, string? contractVersion = null) =>
        new(directoryName, directory, PluginStatus.Refused, refusal, reason, assemblyPath, null, null, contractVersion, []);
}
