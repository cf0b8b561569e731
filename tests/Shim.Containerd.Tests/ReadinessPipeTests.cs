using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

/// <summary>start learns from the readiness pipe that the daemon listens, or that it died, without polling the socket.</summary>
public sealed class ReadinessPipeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AChildThatWritesOnFd3_IsReady_AndFd3IsItsOnlyExtraFd()
    {
        using var pipe = ReadinessPipe.Create();
        // The child reports ready only if its fd 3 is the pipe.
        var pid = DetachedSpawn.Spawn("/bin/sh", ["-c", "readlink /proc/$$/fd/3 | grep -q '^pipe:' && printf x >&3; exec sleep 30"], pipe.WriteFd);
        pipe.CloseWriteEnd();
        try
        {
            pipe.WaitReady(Patience).ShouldBe(ReadinessOutcome.Ready);
            // sleep's own start-up briefly opens files of its own: wait for them to close; a leaked fd never would.
            List<string?> Fds() => Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order().ToList();
            await Shim.HostPci.BoundedPoll.UntilAsync(() => Fds().Count == 4, TimeSpan.FromSeconds(10),
                () => $"child {pid} has fds {string.Join(",", Fds())}", CancellationToken.None);
            Fds().ShouldBe(["0", "1", "2", "3"]);
        }
        finally
        {
            ChildProcess.Kill(pid);
            ChildProcess.Reap(pid);
        }
    }

    [Fact]
    public void AChildThatExitsWithoutAWord_IsClosed_NotTimedOut()
    {
        using var pipe = ReadinessPipe.Create();
        var pid = DetachedSpawn.Spawn("/bin/sh", ["-c", "exit 3"], pipe.WriteFd);
        pipe.CloseWriteEnd();
        try
        {
            pipe.WaitReady(Patience).ShouldBe(ReadinessOutcome.Closed);
        }
        finally
        {
            ChildProcess.Reap(pid);
        }
    }

    [Fact]
    public void WithTheWriteEndStillOpenHere_NothingArrives_AndTheWaitEndsAtItsDeadline()
    {
        using var pipe = ReadinessPipe.Create();
        pipe.WaitReady(TimeSpan.FromMilliseconds(1)).ShouldBe(ReadinessOutcome.TimedOut);
    }

    [Fact]
    public void Signal_WithNoFd_DoesNothing() => ReadinessSignal.Send(null).ShouldBeNull();

    [Fact]
    public void Signal_RefusesAnFdThatIsNotAPipe_NamingIt()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var stream = File.OpenWrite(file);
            var fd = (int)stream.SafeFileHandle.DangerousGetHandle();
            ReadinessSignal.Send(fd).ShouldNotBeNull().ShouldContain($"-ready-fd {fd}");
            stream.Length.ShouldBe(0); // nothing was written to it
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ReadyFdFlag_IsParsed_AndAnythingButAnFdAbove2IsAUsageError()
    {
        ShimFlagParser.Parse(["-namespace", "n", "-id", "t", "-socket", "/s", "-ready-fd", "3", "serve"]).ReadyFd.ShouldBe(3);
        ShimFlagParser.Parse(["-namespace", "n", "-id", "t", "start"]).ReadyFd.ShouldBeNull();
        Should.Throw<ShimUsageException>(() => ShimFlagParser.Parse(["-namespace", "n", "-id", "t", "-ready-fd", "1", "start"])).Message.ShouldContain("-ready-fd '1'");
        Should.Throw<ShimUsageException>(() => ShimFlagParser.Parse(["-namespace", "n", "-id", "t", "-ready-fd", "x", "start"])).Message.ShouldContain("-ready-fd 'x'");
    }
}
