using Shim.Containerd.Tasks;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>The shim under a real containerd 1.6.20, driven by ctr (containerd-shim-v2.md §16).</summary>
[Trait("Category", "Containerd")]
public sealed class ContainerdEndToEndTests(ContainerdFixture containerd, ITestOutputHelper output) : IClassFixture<ContainerdFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CtrRunDetached_RunsInTheGuest_ThenTaskRmAndContainerRmCleanUpEverything()
    {
        var run = await containerd.RunDetachedAsync("c1");
        output.WriteLine(run.ToString());
        run.ExitCode.ShouldBe(0, run.ToString());

        var ls = await containerd.CtrAsync("task", "ls");
        ls.StdoutText.ShouldContain("c1");
        ls.StdoutText.ShouldContain("RUNNING");
        var daemons = containerd.ShimDaemonPids("c1");
        daemons.Count.ShouldBe(1);
        (await File.ReadAllTextAsync(Path.Combine(containerd.Bundle("c1"), "address"))).ShouldBe("unix://" + containerd.ShimSocket("c1"));

        var rm = await containerd.CtrAsync("task", "rm", "-f", "c1");
        rm.ExitCode.ShouldBe(0, rm.ToString());
        var crm = await containerd.CtrAsync("container", "rm", "c1");
        crm.ExitCode.ShouldBe(0, crm.ToString());

        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(daemons[0]), Patience, () => $"shim daemon {daemons[0]} still alive after task rm", CancellationToken.None);
        // containerd runs our delete binary after the disconnect, then removes the bundle.
        await BoundedPoll.UntilAsync(() => !Directory.Exists(containerd.Bundle("c1")), Patience, () => "bundle of c1 still present", CancellationToken.None);
        File.Exists(containerd.ShimSocket("c1")).ShouldBeFalse();
        (await containerd.CtrAsync("task", "ls")).StdoutText.ShouldNotContain("c1");
        containerd.Log.ShouldContain("cleaning up dead shim");
        // The daemon's structured lines went through the bundle's log fifo into containerd's own log.
        containerd.Log.ShouldContain("msg=\"task c1 created with pid");
        containerd.Log.ShouldContain("runtime=io.containerd.kataplug.v2 id=c1 namespace=test");
    }

    [Fact]
    public async Task CtrRun_WithInvalidConfiguration_FailsTheCreateNamingTheProblem_AndLeavesNoShim()
    {
        var bad = Path.Combine(containerd.Directory, "bad.toml");
        await File.WriteAllTextAsync(bad, "[hypervisor.qemu]\ndefault_vcpus = \"many\"\n");
        var run = await containerd.CtrAsync("run", "--fifo-dir", containerd.FifoDirectory, "--runtime", ContainerdFixture.Runtime,
            "--runtime-config-path", bad, "--rootfs", containerd.RootfsDirectory, "c2", "/bin/true");
        output.WriteLine(run.ToString());
        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain("invalid kataplug configuration");
        run.Stderr.ShouldContain("default_vcpus");
        run.Stderr.ShouldContain("invalid argument");

        (await containerd.CtrAsync("task", "ls")).StdoutText.ShouldNotContain("c2");
        await BoundedPoll.UntilAsync(() => containerd.ShimDaemonPids("c2").Count == 0, Patience, () => "shim daemon of c2 still alive", CancellationToken.None);
        (await containerd.CtrAsync("container", "rm", "c2")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task ShimDaemonKilled_ContainerdRunsDelete_AndPublishesExit137()
    {
        await using var events = await CtrEventsWatch.StartAsync(containerd, Patience);
        var run = await containerd.RunDetachedAsync("c3");
        run.ExitCode.ShouldBe(0, run.ToString());
        var daemon = containerd.ShimDaemonPids("c3").ShouldHaveSingleItem();

        System.Diagnostics.Process.GetProcessById(daemon).Kill(); // SIGKILL

        // containerd notices the disconnect, runs `delete`, and publishes exit + delete with its DeleteResponse.
        await events.WaitForAsync(l => l.Contains("/tasks/delete", StringComparison.Ordinal) && l.Contains("c3", StringComparison.Ordinal), Patience);
        var exit = events.Seen.Where(l => l.Contains("/tasks/exit", StringComparison.Ordinal) && l.Contains("c3", StringComparison.Ordinal)).ShouldHaveSingleItem();
        exit.ShouldContain("\"exit_status\":137");
        await BoundedPoll.UntilAsync(() => !Directory.Exists(containerd.Bundle("c3")), Patience, () => "bundle of c3 still present", CancellationToken.None);
        File.Exists(containerd.ShimSocket("c3")).ShouldBeFalse();
        (await containerd.CtrAsync("task", "ls")).StdoutText.ShouldNotContain("c3");
        (await containerd.CtrAsync("container", "rm", "c3")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task CtrEvents_SeeTheTaskEventsTheShimForwards_WithBareTypeUrls()
    {
        await using var events = await CtrEventsWatch.StartAsync(containerd, Patience);
        var run = await containerd.RunAsync("c4"); // /bin/true: ctr deletes the task after its exit
        run.ExitCode.ShouldBe(0, run.ToString());
        await events.WaitForAsync(l => l.Contains("/tasks/delete", StringComparison.Ordinal) && l.Contains("c4", StringComparison.Ordinal), Patience);
        foreach (var l in events.Seen)
        {
            output.WriteLine(l);
        }
        var mine = events.Seen.Where(l => l.Contains("c4", StringComparison.Ordinal)).ToList();
        mine.ShouldContain(l => l.Contains("/tasks/create", StringComparison.Ordinal));
        mine.ShouldContain(l => l.Contains("/tasks/start", StringComparison.Ordinal));
        mine.ShouldContain(l => l.Contains("/tasks/exit", StringComparison.Ordinal));
        mine.ShouldContain(l => l.Contains("/tasks/delete", StringComparison.Ordinal));
        // Consumers decoded every event: a prefixed type URL would have failed with "not found".
        containerd.Log.ShouldNotContain("cannot unmarshal an event");
        (await containerd.CtrAsync("container", "rm", "c4")).ExitCode.ShouldBe(0);
    }
}
