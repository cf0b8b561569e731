using System.Collections.Immutable;

namespace Shim.Configuration;

/// <summary>[agent.kata]: the keys kataplug uses.</summary>
public sealed record AgentSettings(
    Setting<int> DialTimeoutSeconds,
    Setting<bool> EnableDebug,
    Setting<bool> DebugConsoleEnabled,
    Setting<ImmutableArray<string>> KernelModules,
    Setting<string> Address)
{
    /// <summary>True when the agent is reached at <see cref="Address"/> rather than over vsock to the guest.</summary>
    public bool HasExternalAddress => Address.Value.Length > 0;

    public TimeSpan DialTimeout => TimeSpan.FromSeconds(DialTimeoutSeconds.Value);
}
