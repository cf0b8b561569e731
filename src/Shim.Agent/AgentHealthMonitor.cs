namespace Shim.Agent;

/// <summary>
/// Kata's liveness loop (kata-agent-protocol.md §1.7 phase 5): <c>Check</c> every <see cref="Interval"/>; the
/// first failure (error, deadline or lost connection) marks the agent dead: <see cref="Dead"/> completes with
/// that error and the loop ends. The owner then stops the sandbox. Disposing stops the loop without a verdict.
/// </summary>
public sealed class AgentHealthMonitor : IAsyncDisposable
{
    /// <summary>Kata's <c>defaultCheckInterval</c>.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly AgentClient client;
    private readonly CancellationTokenSource stop = new();
    private readonly TaskCompletionSource<Exception> dead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task loop;

    public AgentHealthMonitor(AgentClient client, TimeSpan? interval = null, TimeSpan? checkTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        this.client = client;
        Interval = interval ?? DefaultInterval;
        CheckTimeout = checkTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero, nameof(interval));
        loop = Task.Run(RunAsync);
    }

    public TimeSpan Interval { get; }

    /// <summary>Per-check deadline; null = the client's <see cref="AgentTimeouts.Check"/>.</summary>
    public TimeSpan? CheckTimeout { get; }

    /// <summary>Completes with the failure that declared the agent dead.</summary>
    public Task<Exception> Dead => dead.Task;

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await client.CheckAsync(stop.Token, CheckTimeout).ConfigureAwait(false);
                }
                catch (AgentException ex)
                {
                    dead.TrySetResult(ex);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.ConfigureAwait(false);
        stop.Dispose();
    }
}
