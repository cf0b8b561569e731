namespace Shim.Ttrpc;

/// <summary>Converts <c>timeout_nano</c> to a <see cref="TimeSpan"/> that timers accept.</summary>
internal static class DeadlineTimeout
{
    // CancelAfter rejects more than ~49 days; a longer deadline is as good as none.
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(int.MaxValue);

    public static TimeSpan FromNanoseconds(long nanoseconds)
    {
        var ticks = Math.Max(1, nanoseconds / 100);
        return ticks >= Longest.Ticks ? Longest : TimeSpan.FromTicks(ticks);
    }

    /// <summary><c>timeout_nano</c> for a client timeout; at least 1 ns so a tiny timeout is not read as "none".</summary>
    public static long ToNanoseconds(TimeSpan timeout) =>
        timeout.Ticks >= long.MaxValue / 100 ? long.MaxValue : Math.Max(1, timeout.Ticks * 100);
}
