using System.Collections.Concurrent;
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

    public void EndLifetime() => lifetime.Cancel();
}
