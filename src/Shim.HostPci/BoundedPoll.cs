using System.Diagnostics;

namespace Shim.HostPci;

/// <summary>
/// Bounded polling for kernel state that has no notification (a driver link, a /dev node, a lock file): checks at
/// once, then backs off 1, 2, 4 … 50 ms until the deadline, honouring the token. Never a fixed sleep.
/// </summary>
public static class BoundedPoll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describeFailure, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (condition())
                return;
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"{describeFailure()} (waited {timeout.TotalMilliseconds:0} ms)");
            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>Retries an attempt that signals "not yet" by returning null.</summary>
    public static async Task<T> UntilAsync<T>(Func<T?> attempt, TimeSpan timeout, Func<string> describeFailure, CancellationToken cancellationToken)
        where T : class
    {
        T? result = null;
        await UntilAsync(() => (result = attempt()) is not null, timeout, describeFailure, cancellationToken).ConfigureAwait(false);
        return result!;
    }
}
