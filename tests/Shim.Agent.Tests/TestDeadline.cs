namespace Shim.Agent.Tests;

/// <summary>A bound on every wait in these tests, so a hung agent fails a test instead of the run.</summary>
internal static class TestDeadline
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    // A fresh source per use: its timer is the only resource and it lapses with the limit.
    public static CancellationToken Token => new CancellationTokenSource(Limit).Token;
}
