using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent;

/// <summary>
/// Typed client of the Kata agent on one long-lived ttrpc connection (kata-agent-protocol.md §5). Every call
/// takes a <see cref="CancellationToken"/> and a deadline (null = the Kata default for that RPC; long-polls
/// default to none and send <c>timeout_nano</c> 0). Failures throw <see cref="AgentException"/> with the
/// ttrpc status code and the agent's message verbatim; a lost connection throws
/// <see cref="AgentConnectionLostException"/> for that and every later call (no reconnect, as Kata).
/// </summary>
public sealed partial class AgentClient : IAsyncDisposable
{
    private readonly TtrpcClient ttrpc;
    private readonly AgentTimeouts timeouts;

    private AgentClient(TtrpcClient ttrpc, AgentEndpoint endpoint, AgentTimeouts timeouts)
    {
        this.ttrpc = ttrpc;
        Endpoint = endpoint;
        this.timeouts = timeouts;
    }

    public AgentEndpoint Endpoint { get; }

    /// <summary>True once the connection has ended; every call then fails with <see cref="AgentConnectionLostException"/>.</summary>
    public bool IsClosed => ttrpc.IsClosed;

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => ttrpc.Completion;

    /// <summary>One dial (connect + handshake for hybrid vsock), no health check and no retry.</summary>
    /// <exception cref="AgentConnectException">connect or handshake failed.</exception>
    public static async Task<AgentClient> ConnectAsync(AgentEndpoint endpoint, CancellationToken cancellationToken, AgentTimeouts? timeouts = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        timeouts ??= AgentTimeouts.Kata;
        var socket = await AgentDialer.ConnectAsync(endpoint, timeouts.Handshake, cancellationToken).ConfigureAwait(false);
        return new AgentClient(new TtrpcClient(socket), endpoint, timeouts);
    }

    /// <summary>
    /// Waits for the agent as Kata does at sandbox start (§1.7): dial and <c>Check</c> until one succeeds or
    /// <paramref name="deadline"/> passes (Kata ships 45 s), with a bounded backoff between attempts.
    /// </summary>
    /// <exception cref="AgentConnectException">the deadline passed; carries the last attempt's error.</exception>
    public static async Task<AgentClient> WaitForAgentAsync(
        AgentEndpoint endpoint, TimeSpan deadline, CancellationToken cancellationToken,
        AgentTimeouts? timeouts = null, DialBackoff? backoff = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(deadline, TimeSpan.Zero);
        timeouts ??= AgentTimeouts.Kata;
        backoff ??= DialBackoff.Default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Exception? last = null;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = deadline - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            AgentClient? client = null;
            try
            {
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptCts.CancelAfter(remaining);
                var socket = await AgentDialer.ConnectAsync(endpoint, Min(timeouts.Handshake, remaining), attemptCts.Token).ConfigureAwait(false);
                client = new AgentClient(new TtrpcClient(socket), endpoint, timeouts);
                var checkTimeout = Min(timeouts.Check, deadline - clock.Elapsed);
                if (checkTimeout <= TimeSpan.Zero)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                    break;
                }
                await client.CheckAsync(cancellationToken, checkTimeout).ConfigureAwait(false);
                return client;
            }
            catch (Exception ex) when (ex is AgentConnectException or AgentException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                last = ex;
                if (client is not null)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch
            {
                // Caller cancelled: don't leak the half-made connection.
                if (client is not null)
                {
                    await client.DisposeAsync().ConfigureAwait(false);
                }
                throw;
            }
            var pause = Min(backoff.DelayFor(attempt), deadline - clock.Elapsed);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
        throw new AgentConnectException(endpoint.ToString(),
            $"the agent did not answer Check within {deadline.TotalSeconds:0.###} s (last error: {last?.Message ?? "none"}); check that the VM booted and the agent listens on its port",
            last);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public async ValueTask DisposeAsync() => await ttrpc.DisposeAsync().ConfigureAwait(false);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string service, string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? timeout, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await ttrpc.CallAsync(service, method, request, parser, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TtrpcClosedException ex)
        {
            throw new AgentConnectionLostException($"{service}/{method}", ex.StatusMessage, ex);
        }
        catch (TtrpcException ex)
        {
            throw new AgentException($"{service}/{method}", ex.Code, ex.StatusMessage, ex);
        }
    }

    private Task<Empty> CallEmptyAsync<TRequest>(string method, TRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
        where TRequest : IMessage =>
        CallAsync(AgentServiceNames.Agent, method, request, Empty.Parser, timeout ?? timeouts.Default, cancellationToken);
}
