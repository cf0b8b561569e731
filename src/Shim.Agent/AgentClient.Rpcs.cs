using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;

namespace Shim.Agent;

// One method per RPC. `timeout` null = the Kata default (AgentTimeouts); long-polls default to no deadline.
public sealed partial class AgentClient
{
    public Task<HealthCheckResponse> CheckAsync(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(AgentServiceNames.Health, AgentServiceNames.Check, new CheckRequest(), HealthCheckResponse.Parser,
            timeout ?? timeouts.Check, cancellationToken);

    public Task<VersionCheckResponse> VersionAsync(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(AgentServiceNames.Health, AgentServiceNames.Version, new CheckRequest(), VersionCheckResponse.Parser,
            timeout ?? timeouts.Check, cancellationToken);

    public Task<Empty> CreateSandboxAsync(CreateSandboxRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.CreateSandbox, request, timeout, cancellationToken);

    /// <summary>The agent replies, then closes its server and powers the VM off: expect the connection to drop.</summary>
    public Task<Empty> DestroySandboxAsync(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.DestroySandbox, new DestroySandboxRequest(), timeout, cancellationToken);

    public Task<Empty> CreateContainerAsync(CreateContainerRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.CreateContainer, request, timeout ?? timeouts.CreateContainer, cancellationToken);

    public Task<Empty> StartContainerAsync(string containerId, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.StartContainer, new StartContainerRequest { ContainerId = containerId }, timeout, cancellationToken);

    /// <summary><paramref name="teardownSeconds"/> travels as <c>RemoveContainerRequest.timeout</c> (0 = wait for ever, as Kata).</summary>
    public Task<Empty> RemoveContainerAsync(string containerId, CancellationToken cancellationToken, uint teardownSeconds = 0, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.RemoveContainer, new RemoveContainerRequest { ContainerId = containerId, Timeout = teardownSeconds },
            timeout, cancellationToken);

    public Task<Empty> ExecProcessAsync(ExecProcessRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.ExecProcess, request, timeout, cancellationToken);

    /// <summary><paramref name="execId"/> "" with SIGKILL = every process of the container (§3.6).</summary>
    public Task<Empty> SignalProcessAsync(string containerId, string execId, uint signal, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.SignalProcess,
            new SignalProcessRequest { ContainerId = containerId, ExecId = execId, Signal = signal }, timeout, cancellationToken);

    /// <summary>Long-poll: blocks until the process exits; returns the exit code or 128 + signal.</summary>
    public async Task<int> WaitProcessAsync(string containerId, string execId, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.WaitProcess,
            new WaitProcessRequest { ContainerId = containerId, ExecId = execId }, WaitProcessResponse.Parser, timeout, cancellationToken).ConfigureAwait(false);
        return reply.Status;
    }

    /// <summary>Writes the whole of <paramref name="data"/>; returns the bytes the agent accepted. Empty data closes stdin.</summary>
    public async Task<uint> WriteStdinAsync(string containerId, string execId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.WriteStdin,
            new WriteStreamRequest { ContainerId = containerId, ExecId = execId, Data = Google.Protobuf.ByteString.CopyFrom(data.Span) },
            WriteStreamResponse.Parser, timeout ?? timeouts.Default, cancellationToken).ConfigureAwait(false);
        return reply.Len;
    }

    /// <summary>Long-poll: up to <paramref name="maxBytes"/> bytes as soon as any are available; empty = end of stream.</summary>
    public Task<ReadOnlyMemory<byte>> ReadStdoutAsync(string containerId, string execId, CancellationToken cancellationToken, uint maxBytes = DefaultReadLength, TimeSpan? timeout = null) =>
        ReadStreamAsync(AgentServiceNames.ReadStdout, containerId, execId, maxBytes, timeout, cancellationToken);

    /// <summary>Long-poll, as <see cref="ReadStdoutAsync"/>; do not poll it for a terminal process (both read the pty).</summary>
    public Task<ReadOnlyMemory<byte>> ReadStderrAsync(string containerId, string execId, CancellationToken cancellationToken, uint maxBytes = DefaultReadLength, TimeSpan? timeout = null) =>
        ReadStreamAsync(AgentServiceNames.ReadStderr, containerId, execId, maxBytes, timeout, cancellationToken);

    /// <summary>Kata's read size (32 KiB).</summary>
    public const uint DefaultReadLength = 32768;

    public Task<Empty> CloseStdinAsync(string containerId, string execId, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.CloseStdin, new CloseStdinRequest { ContainerId = containerId, ExecId = execId }, timeout, cancellationToken);

    public Task<Empty> TtyWinResizeAsync(string containerId, string execId, uint rows, uint columns, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.TtyWinResize,
            new TtyWinResizeRequest { ContainerId = containerId, ExecId = execId, Row = rows, Column = columns }, timeout, cancellationToken);

    /// <summary>Returns the interface as the agent applied it.</summary>
    public Task<Interface> UpdateInterfaceAsync(Interface nic, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(AgentServiceNames.Agent, AgentServiceNames.UpdateInterface, new UpdateInterfaceRequest { Interface = nic },
            Interface.Parser, timeout ?? timeouts.Default, cancellationToken);

    /// <summary>Returns the full guest route list after the update.</summary>
    public async Task<IReadOnlyList<Route>> UpdateRoutesAsync(IEnumerable<Route> routes, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var request = new UpdateRoutesRequest { Routes = new Routes() };
        request.Routes.Routes_.AddRange(routes);
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.UpdateRoutes, request, Routes.Parser,
            timeout ?? timeouts.Default, cancellationToken).ConfigureAwait(false);
        return reply.Routes_;
    }

    public Task<Empty> AddARPNeighborsAsync(IEnumerable<ARPNeighbor> neighbors, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var request = new AddARPNeighborsRequest { Neighbors = new ARPNeighbors() };
        request.Neighbors.ARPNeighbors_.AddRange(neighbors);
        return CallEmptyAsync(AgentServiceNames.AddARPNeighbors, request, timeout, cancellationToken);
    }

    public Task<Empty> OnlineCPUMemAsync(OnlineCPUMemRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.OnlineCPUMem, request, timeout, cancellationToken);

    private async Task<ReadOnlyMemory<byte>> ReadStreamAsync(string method, string containerId, string execId, uint maxBytes, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // len 0 would look like EOF to the caller (§2.5).
        ArgumentOutOfRangeException.ThrowIfZero(maxBytes);
        var reply = await CallAsync(AgentServiceNames.Agent, method,
            new ReadStreamRequest { ContainerId = containerId, ExecId = execId, Len = maxBytes }, ReadStreamResponse.Parser,
            timeout, cancellationToken).ConfigureAwait(false);
        return reply.Data.Memory;
    }
}
