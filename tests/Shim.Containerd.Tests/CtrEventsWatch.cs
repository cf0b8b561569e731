using System.Diagnostics;
using System.Threading.Channels;

namespace Shim.Containerd.Tests;

/// <summary>
/// A running <c>ctr events</c> whose lines are pumped into a queue. <see cref="StartAsync"/> returns only once the
/// subscription is live (a probe namespace event came through), so no event published afterwards can be missed.
/// </summary>
public sealed class CtrEventsWatch : IAsyncDisposable
{
    private static int probes;
    private readonly System.Diagnostics.Process process;
    private readonly Channel<string> lines = Channel.CreateUnbounded<string>();
    private readonly List<string> seen = [];
    private readonly Task pump;

    private CtrEventsWatch(System.Diagnostics.Process process)
    {
        this.process = process;
        pump = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Writer.TryWrite(line);
            }
            lines.Writer.TryComplete();
        });
    }

    /// <summary>Every line read so far.</summary>
    public IReadOnlyList<string> Seen => seen;

    public static async Task<CtrEventsWatch> StartAsync(ContainerdFixture containerd, TimeSpan timeout)
    {
        var watch = new CtrEventsWatch(containerd.StartCtrEvents());
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            var probe = $"kp-probe-{Interlocked.Increment(ref probes)}";
            (await containerd.CtrAsync("namespaces", "create", probe)).ExitCode.ShouldBe(0);
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                await watch.DisposeAsync();
                throw new TimeoutException($"ctr events showed none of {attempt + 1} probe events within {timeout}");
            }
            try
            {
                await watch.WaitForAsync(l => l.Contains(probe, StringComparison.Ordinal), TimeSpan.FromMilliseconds(Math.Min(500, left.TotalMilliseconds)));
                return watch;
            }
            catch (TimeoutException)
            {
                // Not subscribed yet when that probe was published: publish another.
            }
        }
    }

    /// <summary>Reads lines until one matches; returns it.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(deadline.Token);
                seen.Add(line);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching ctr events line within {timeout}; saw: {string.Join(" | ", seen)}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"ctr events ended; saw: {string.Join(" | ", seen)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        await pump.WaitAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
    }
}
