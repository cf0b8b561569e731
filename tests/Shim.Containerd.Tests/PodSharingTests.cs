using Shim.Containerd.Tasks;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>A CRI-style pod through ctr annotations (containerd-shim-v2.md §13): one daemon serves the sandbox and its containers.</summary>
[Trait("Category", "Containerd")]
public sealed class PodSharingTests(ContainerdFixture containerd, ITestOutputHelper output) : IClassFixture<ContainerdFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task APodContainer_JoinsItsSandboxsDaemon_WhichExitsOnlyAfterTheLastTask()
    {
        (await containerd.RunDetachedAsync("sb", "--annotation", "io.kubernetes.cri.container-type=sandbox", "--annotation", "io.kubernetes.cri.sandbox-id=sb"))
            .ExitCode.ShouldBe(0);
        var daemon = containerd.ShimDaemonPids("sb").ShouldHaveSingleItem();
        (await containerd.RunDetachedAsync("ct", "--annotation", "io.kubernetes.cri.container-type=container", "--annotation", "io.kubernetes.cri.sandbox-id=sb"))
            .ExitCode.ShouldBe(0);

        (await File.ReadAllTextAsync(Path.Combine(containerd.Bundle("ct"), "address"))).ShouldBe("unix://" + containerd.ShimSocket("sb"));
        containerd.ShimDaemonPids("ct").ShouldBeEmpty();
        var ls = (await containerd.CtrAsync("task", "ls")).StdoutText;
        output.WriteLine(ls);
        ls.ShouldContain("sb");
        ls.ShouldContain("ct");

        // Removing the container: Shutdown(ct) keeps the daemon (sb remains); containerd's delete for ct touches nothing.
        (await containerd.CtrAsync("task", "rm", "-f", "ct")).ExitCode.ShouldBe(0);
        await BoundedPoll.UntilAsync(() => !Directory.Exists(containerd.Bundle("ct")), Patience, () => "bundle of ct still present", CancellationToken.None);
        ProcessTable.IsGone(daemon).ShouldBeFalse();
        (await containerd.CtrAsync("task", "ls")).StdoutText.ShouldContain("sb");

        (await containerd.CtrAsync("task", "rm", "-f", "sb")).ExitCode.ShouldBe(0);
        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(daemon), Patience, () => $"sandbox daemon {daemon} still alive", CancellationToken.None);
        await BoundedPoll.UntilAsync(() => !File.Exists(containerd.ShimSocket("sb")), Patience, () => "sandbox socket still present", CancellationToken.None);
        (await containerd.CtrAsync("container", "rm", "ct", "sb")).ExitCode.ShouldBe(0);
    }
}
