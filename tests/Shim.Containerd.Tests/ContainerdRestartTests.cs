using Shim.Containerd.Tasks;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>containerd restarts while the shim lives (containerd-shim-v2.md §10.3, §11.5): reload via the address file, events resent.</summary>
[Trait("Category", "Containerd")]
public sealed class ContainerdRestartTests(ContainerdFixture containerd, ITestOutputHelper output) : IClassFixture<ContainerdFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task AfterAContainerdRestart_TheShimIsReloaded_AndItsEventsReachTheNewContainerd()
    {
        (await containerd.RunDetachedAsync("r1")).ExitCode.ShouldBe(0);
        var daemon = containerd.ShimDaemonPids("r1").ShouldHaveSingleItem();

        await containerd.RestartContainerdAsync();

        // containerd read <bundle>/address, reconnected and called Connect: the task is back, same shim process.
        var ls = await containerd.CtrAsync("task", "ls");
        output.WriteLine(ls.StdoutText);
        ls.StdoutText.ShouldContain("r1");
        ls.StdoutText.ShouldContain("RUNNING");
        containerd.ShimDaemonPids("r1").ShouldBe([daemon]);

        await using (var events = await CtrEventsWatch.StartAsync(containerd, Patience))
        {
            (await containerd.CtrAsync("task", "rm", "-f", "r1")).ExitCode.ShouldBe(0);
            // The shim's old events connection died with the first containerd: these arrive only if it reconnected.
            await events.WaitForAsync(l => l.Contains("/tasks/delete", StringComparison.Ordinal) && l.Contains("r1", StringComparison.Ordinal), Patience);
            events.Seen.ShouldContain(l => l.Contains("/tasks/exit", StringComparison.Ordinal) && l.Contains("r1", StringComparison.Ordinal));
        }
        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(daemon), Patience, () => $"shim daemon {daemon} still alive", CancellationToken.None);
        (await containerd.CtrAsync("container", "rm", "r1")).ExitCode.ShouldBe(0);
    }
}
