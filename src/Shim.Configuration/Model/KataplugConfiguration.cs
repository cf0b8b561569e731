using System.Collections.Immutable;

namespace Shim.Configuration;

/// <summary>The effective, validated configuration (file + defaults + allowed annotations). Immutable.</summary>
/// <param name="SourceName">The file it was read from (or "embedded default").</param>
/// <param name="IgnoredKeys">Accepted but unused keys and annotations; log them at debug level.</param>
public sealed record KataplugConfiguration(
    string SourceName,
    QemuSettings Hypervisor,
    RuntimeSettings Runtime,
    AgentSettings Agent,
    PluginSettings Plugins,
    HostSettings Host,
    ImmutableArray<IgnoredKey> IgnoredKeys);
