namespace Shim.Agent;

/// <summary>
/// Per-call deadlines, defaulting to what the Kata Go runtime uses (kata-agent-protocol.md §1.6). Long-polls
/// (<c>WaitProcess</c>, <c>ReadStdout</c>, <c>ReadStderr</c>) have none: they send <c>timeout_nano</c> 0.
/// </summary>
public sealed record AgentTimeouts
{
    public static AgentTimeouts Kata { get; } = new();

    /// <summary><c>grpc.Health/Check</c> and <c>Version</c> (Go <c>checkRequestTimeout</c>).</summary>
    public TimeSpan Check { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>CreateContainer</c> (<c>[runtime] create_container_timeout</c>).</summary>
    public TimeSpan CreateContainer { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every other unary call (Go <c>defaultRequestTimeout</c>).</summary>
    public TimeSpan Default { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait for the hybrid-vsock <c>OK</c> line, per attempt (a kernel vsock race can swallow it).</summary>
    public TimeSpan Handshake { get; init; } = TimeSpan.FromSeconds(10);
}
