using Shim.Containerd.Tasks;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>The daemon dies in the middle of Create (containerd-shim-v2.md §6.2, §10.3): containerd's delete cleans up.</summary>
[Trait("Category", "Containerd")]
public sealed class ShimKilledMidCreateTests(ContainerdFixture containerd, ITestOutputHelper output) : IClassFixture<ContainerdFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task SigkillDuringCreate_FailsTheRun_AndContainerdsDeleteLeavesNothingBehind()
    {
        // A fifo as the configuration file holds Create inside its read, with no test hook in the product.
        var fifo = Path.Combine(containerd.Directory, "held.toml");
        (await ProcessRunner.RunAsync("/usr/bin/mkfifo", [fifo], Patience)).ExitCode.ShouldBe(0);
        var run = containerd.CtrAsync("run", "--fifo-dir", containerd.FifoDirectory, "--runtime", ContainerdFixture.Runtime,
            "--runtime-config-path", fifo, "--rootfs", containerd.RootfsDirectory, "m1", "/bin/true");

        // Opening the write side completes once the daemon opened the read side, i.e. it is inside Create.
        await using (var writer = await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)).WaitAsync(Patience))
        {
            var daemon = containerd.ShimDaemonPids("m1").ShouldHaveSingleItem();
            System.Diagnostics.Process.GetProcessById(daemon).Kill(); // SIGKILL mid-create
            var result = await run;
            output.WriteLine(result.ToString());
            result.ExitCode.ShouldNotBe(0);
            await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(daemon), Patience, () => $"daemon {daemon} still alive", CancellationToken.None);
        }

        await BoundedPoll.UntilAsync(() => !Directory.Exists(containerd.Bundle("m1")), Patience, () => "bundle of m1 still present", CancellationToken.None);
        // Removed by our delete binary, which containerd runs beside its own bundle clean-up: wait for it, bounded.
        await BoundedPoll.UntilAsync(() => !File.Exists(containerd.ShimSocket("m1")), Patience, () => "shim socket of m1 still present", CancellationToken.None);
        (await containerd.CtrAsync("task", "ls")).StdoutText.ShouldNotContain("m1");
        (await containerd.CtrAsync("container", "rm", "m1")).ExitCode.ShouldBe(0);
    }
}
