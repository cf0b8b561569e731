using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Shim.Agent;
using Shim.Qemu;

namespace Shim.Sandbox.Containers;

/// <summary>
/// The guest side of a running sandbox: the agent connection, the containers created in it, and the vCPU hot-plug
/// state. <see cref="Lifetime"/> is cancelled at teardown, ending every long poll (reads, waits) at once.
/// </summary>
public sealed class SandboxGuest(string sandboxId, AgentClient agent, VcpuHotplug vcpus, Shim.Sandbox.Pipeline.SandboxStateDirectory state)
{
    private readonly CancellationTokenSource lifetime = new();

    public string SandboxId { get; } = sandboxId;

    public AgentClient Agent { get; } = agent;

    public VcpuHotplug Vcpus { get; } = vcpus;

    public Shim.Sandbox.Pipeline.SandboxStateDirectory State { get; } = state;

    public CancellationToken Lifetime => lifetime.Token;

    /// <summary>Containers by id (the sandbox's own container has the sandbox id).</summary>
    public ConcurrentDictionary<string, GuestContainer> Containers { get; } = new(StringComparer.Ordinal);

    /// <summary>Serializes resource updates (vCPU counts are computed from the sum of all containers' limits).</summary>
    public SemaphoreSlim UpdateGate { get; } = new(1, 1);

    /// <summary>vCPUs each container's CPU limit asked for (Kata sizes the VM to default_vcpus + their sum).</summary>
    public ConcurrentDictionary<string, uint> RequestedVcpus { get; } = new(StringComparer.Ordinal);

    /// <summary>Set when the VM died under the sandbox (QEMU exited or the agent stopped answering).</summary>
    public string? DeathCause { get; private set; }

    public void EndLifetime() => lifetime.Cancel();

    /// <summary>
    /// Watches for the VM dying under the sandbox (Kata: QEMU exits, or the 5 s <c>Check</c> fails): then the lifetime
    /// ends, so every process still running is reported exited (255) instead of waiting for ever. Returns the
    /// health monitor, which the owner disposes at teardown.
    /// </summary>
    public AgentHealthMonitor WatchForDeath(Task<int> qemuExited, ILogger logger, TimeSpan? checkInterval = null)
    {
        var health = new AgentHealthMonitor(Agent, checkInterval);
        _ = WatchAsync(qemuExited, health, logger);
        return health;
    }

    private async Task WatchAsync(Task<int> qemuExited, AgentHealthMonitor health, ILogger logger)
    {
        var ended = Task.Delay(Timeout.Infinite, Lifetime);
        var first = await Task.WhenAny(qemuExited, health.Dead, ended).ConfigureAwait(false);
        if (first == ended || Lifetime.IsCancellationRequested) return; // a teardown, not a death
        DeathCause = first == qemuExited
            ? $"QEMU exited ({qemuExited.Result})"
            : $"the agent stopped answering Check ({health.Dead.Result.Message})";
        logger.LogError("sandbox {Id}: the VM died: {Cause}; every process still running is reported exited with status 255", SandboxId, DeathCause);
        EndLifetime();
    }
}
