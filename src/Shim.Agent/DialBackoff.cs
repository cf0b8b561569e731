namespace Shim.Agent;

/// <summary>
/// Bounded exponential backoff between agent dial attempts. Kata redials with no pause at all (§1.6); a short
/// pause that doubles up to <see cref="Max"/> keeps a not-yet-booted guest from costing a busy loop.
/// </summary>
public sealed record DialBackoff(TimeSpan Initial, TimeSpan Max)
{
    public static DialBackoff Default { get; } = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(500));

    /// <summary>Delay before attempt <paramref name="attempt"/> (1 = the first retry).</summary>
    public TimeSpan DelayFor(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ticks = Math.Min(Initial.Ticks * factor, Max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
