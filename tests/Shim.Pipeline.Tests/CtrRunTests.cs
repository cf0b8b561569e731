using System.Security.Cryptography;
using Shim.Containerd.Tests;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>
/// Containers run end to end (issue #8): <c>ctr run --rm --runtime io.containerd.kataplug.v2</c> under a private
/// containerd 1.6, QEMU started by the shim, the process run by kataplug-test-agent over hybrid vsock in the rootfs
/// the shim shares as kataShared. What ctr prints and returns is the container's.
/// </summary>
[Trait("Category", "Containerd")]
[Collection(EndToEndCollection.Name)]
public sealed class CtrRunTests : IClassFixture<ContainerdFixture>, IClassFixture<EndToEndFixture>
{
    private readonly EndToEndFixture e2e;
    private readonly CtrRunner ctr;
    private readonly ITestOutputHelper output;

    public CtrRunTests(ContainerdFixture containerd, EndToEndFixture e2e, ITestOutputHelper output)
    {
        this.e2e = e2e;
        this.output = output;
        ctr = new CtrRunner(containerd, e2e.Rootfs);
    }

    [Fact]
    public async Task EchoHello_PrintsHello_AndRmLeavesNoSandboxBehind()
    {
        var run = await ctr.RunAsync("r-echo", e2e.Config, "echo", "hello");

        Report(run);
        run.ExitCode.ShouldBe(0, run.ToString());
        run.StdoutText.ShouldBe("hello\n");
        // It ran in the guest's view of the rootfs the shim shared, not on the host's.
        var created = e2e.Agent.Record.Container("r-echo").ShouldNotBeNull(e2e.Agent.Record.ToString());
        created["OCI"]?["Root"]?["Path"]?.GetValue<string>().ShouldBe("/run/kata-containers/shared/containers/r-echo/rootfs");
        // --rm: the sandbox is gone, its rootfs share unmounted, and the rootfs itself untouched.
        LeftoverMounts.Under(e2e.Host.StateDirectory).ShouldBeEmpty();
        Directory.Exists(e2e.Host.SandboxState("r-echo")).ShouldBeFalse();
        File.Exists(Path.Combine(e2e.Rootfs, "bin", "echo")).ShouldBeTrue();
    }

    [Fact]
    public async Task ExitCode_IsCtrsExitCode_AndStderrStaysStderr()
    {
        var run = await ctr.RunAsync("r-exit", e2e.Config, "sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 7");

        Report(run);
        run.ExitCode.ShouldBe(7, run.ToString());
        run.StdoutText.ShouldBe("to-stdout\n");
        run.Stderr.ShouldContain("to-stderr");
    }

    [Fact]
    public async Task OneMebibyteOfBinaryStdin_ComesBackThroughCat_ByteForByte()
    {
        var data = RandomNumberGenerator.GetBytes(1 << 20);

        var run = await ctr.RunWithStdinAsync("r-cat", e2e.Config, data, "cat");

        output.WriteLine($"exit {run.ExitCode} after {run.Elapsed.TotalMilliseconds:0} ms; {run.Stdout.Length} bytes back; stderr: {run.Stderr}");
        run.ExitCode.ShouldBe(0, run.Stderr);
        run.Stdout.Length.ShouldBe(data.Length);
        run.Stdout.AsSpan().SequenceEqual(data).ShouldBeTrue("the bytes differ");
    }

    [Fact]
    public async Task TaskExec_ReturnsItsOutputAndExitCode_ThenTaskKill_EndsTheContainerWithSigterm()
    {
        await using var sleeper = await ctr.StartAsync("r-exec", e2e.Config, "sleep", "1000");

        var exec = await ctr.Containerd.CtrAsync(CtrRunner.Patience, "task", "exec", "--exec-id", "x1", "r-exec", "sh", "-c", "echo exec-out; exit 3");

        Report(exec);
        exec.ExitCode.ShouldBe(3, exec.ToString());
        exec.StdoutText.ShouldBe("exec-out\n");
        ctr.Status("r-exec").ShouldBe("RUNNING"); // the exec's end is not the container's

        var kill = await ctr.Containerd.CtrAsync("task", "kill", "r-exec"); // SIGTERM
        kill.ExitCode.ShouldBe(0, kill.ToString());
        var ended = await sleeper.Run.WaitAsync(CtrRunner.Patience);
        ended.ExitCode.ShouldBe(128 + 15, ended.ToString());
    }

    [Fact]
    public async Task TaskKillWithSigkill_EndsTheContainerWith137()
    {
        await using var sleeper = await ctr.StartAsync("r-kill", e2e.Config, "sleep", "1000");

        var kill = await ctr.Containerd.CtrAsync("task", "kill", "-s", "SIGKILL", "r-kill");

        kill.ExitCode.ShouldBe(0, kill.ToString());
        var ended = await sleeper.Run.WaitAsync(CtrRunner.Patience);
        ended.ExitCode.ShouldBe(128 + 9, ended.ToString());
    }

    [Fact]
    public async Task TerminalRun_TheProcessHasATerminal_PrintsAndExits()
    {
        // ctr -t needs a terminal on its stdin: script(1) gives it one and returns the child's exit code (-e).
        var command = ctr.FullCommand(ctr.RunArguments("r-tty", e2e.Config, ["-t"], ["sh", "-c", "if [ -t 0 ] && [ -t 1 ]; then echo tty-ok; else echo no-tty; fi; exit 5"]));
        var run = await ProcessRunner.RunAsync("script", ["-qec", string.Join(' ', command.Select(ShellQuote)), "/dev/null"], CtrRunner.Patience);

        Report(run);
        run.StdoutText.ShouldContain("tty-ok");
        run.ExitCode.ShouldBe(5, run.ToString());
    }

    private void Report(ProcessResult run)
    {
        output.WriteLine(run.ToString());
        output.WriteLine(CtrRunner.Tail(ctr.Containerd.Log, 15));
    }

    private static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
