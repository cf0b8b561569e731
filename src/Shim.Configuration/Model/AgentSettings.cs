using System.Collections.Immutable;

namespace Shim.Configuration;

/// <summary>[agent.kata]: the keys kataplug uses.</summary>
public sealed record AgentSettings(
    Setting<int> DialTimeoutSeconds,
    Setting<bool> EnableDebug,
    Setting<bool> DebugConsoleEnabled,
    Setting<ImmutableArray<string>> KernelModules)
{
    public TimeSpan DialTimeout => TimeSpan.FromSeconds(DialTimeoutSeconds.Value);
}
