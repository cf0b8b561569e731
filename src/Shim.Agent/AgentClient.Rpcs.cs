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

    /// <summary>New cgroup limits for a running container (agent form of the OCI update, §2.9.6).</summary>
    public Task<Empty> UpdateContainerAsync(string containerId, LinuxResources resources, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return CallEmptyAsync(AgentServiceNames.UpdateContainer,
            new UpdateContainerRequest { ContainerId = containerId, Resources = resources }, timeout, cancellationToken);
    }

    /// <summary>The container's cgroup statistics (CPU ns, memory bytes, pids) and the guest interfaces' counters.</summary>
    public Task<StatsContainerResponse> StatsContainerAsync(string containerId, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(AgentServiceNames.Agent, AgentServiceNames.StatsContainer, new StatsContainerRequest { ContainerId = containerId },
            StatsContainerResponse.Parser, timeout ?? timeouts.Default, cancellationToken);

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

    /// <summary>
    /// <see cref="UpdateInterfaceAsync"/> retried while the agent answers <c>Link not found</c> (NIC hot-plug is
    /// asynchronous in the guest), as Kata: up to <paramref name="attempts"/> tries, <paramref name="pause"/> apart
    /// (defaults 20 × 20 ms). Other errors, and the last <c>Link not found</c>, are thrown as they came.
    /// </summary>
    public async Task<Interface> UpdateInterfaceRetryingAsync(
        Interface nic, CancellationToken cancellationToken, int attempts = 20, TimeSpan? pause = null, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await UpdateInterfaceAsync(nic, cancellationToken, timeout).ConfigureAwait(false);
            }
            catch (AgentException ex) when (attempt < attempts && ex is not AgentConnectionLostException
                                            && ex.AgentMessage.Contains(LinkNotFound, StringComparison.Ordinal))
            {
                await Task.Delay(pause ?? TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Text of the agent's error while a hot-plugged NIC has not appeared yet.</summary>
    public const string LinkNotFound = "Link not found";

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

    /// <summary>Memory block size and agent capabilities; Kata asks for both (<c>mem_block_size</c>, <c>mem_hotplug_probe</c> true).</summary>
    public Task<GuestDetailsResponse> GetGuestDetailsAsync(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallAsync(AgentServiceNames.Agent, AgentServiceNames.GetGuestDetails,
            new GuestDetailsRequest { MemBlockSize = true, MemHotplugProbe = true }, GuestDetailsResponse.Parser,
            timeout ?? timeouts.Default, cancellationToken);

    /// <summary>Code 12 from an older agent is expected and tolerated by Kata (§1.4).</summary>
    public Task<Empty> UpdateEphemeralMountsAsync(IEnumerable<Storage> storages, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var request = new UpdateEphemeralMountsRequest();
        request.Storages.AddRange(storages);
        return CallEmptyAsync(AgentServiceNames.UpdateEphemeralMounts, request, timeout, cancellationToken);
    }

    public Task<Empty> RemoveStaleVirtiofsShareMountsAsync(CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        CallEmptyAsync(AgentServiceNames.RemoveStaleVirtiofsShareMounts, new RemoveStaleVirtiofsShareMountsRequest(), timeout, cancellationToken);

    /// <summary>Long-poll: returns the id of the next container hit by the OOM killer. Fails when the sandbox is destroyed.</summary>
    public async Task<string> GetOOMEventAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.GetOOMEvent, new GetOOMEventRequest(), OOMEvent.Parser,
            timeout, cancellationToken).ConfigureAwait(false);
        return reply.ContainerId;
    }

    /// <summary>Guest links; the agent fills only name, hwAddr, mtu and addresses.</summary>
    public async Task<IReadOnlyList<Interface>> ListInterfacesAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.ListInterfaces, new ListInterfacesRequest(), Interfaces.Parser,
            timeout ?? timeouts.Default, cancellationToken).ConfigureAwait(false);
        return reply.Interfaces_;
    }

    public async Task<IReadOnlyList<Route>> ListRoutesAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var reply = await CallAsync(AgentServiceNames.Agent, AgentServiceNames.ListRoutes, new ListRoutesRequest(), Routes.Parser,
            timeout ?? timeouts.Default, cancellationToken).ConfigureAwait(false);
        return reply.Routes_;
    }

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
