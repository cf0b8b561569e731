using Shim.Containerd.Process;
using Shim.HostPci;

namespace Shim.Containerd.Tests;

/// <summary>The daemon must share no fd with start's caller (the CombinedOutput trap, §3.6) and lead its own session.</summary>
public sealed class DetachedSpawnTests
{
    [Fact]
    public async Task Child_HasDevNullStdio_NoOtherFds_AndItsOwnSession()
    {
        var dir = Directory.CreateTempSubdirectory("kpd-").FullName;
        try
        {
            var report = Path.Combine(dir, "report");
            var pid = DetachedSpawn.Spawn("/bin/sh", ["-c",
                """readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2 > "$0.tmp"; ls /proc/$$/fd | tr '\n' ' ' >> "$0.tmp"; echo >> "$0.tmp"; cut -d' ' -f6 /proc/$$/stat >> "$0.tmp"; mv "$0.tmp" "$0" """,
                report]);
            await BoundedPoll.UntilAsync(() => File.Exists(report), TimeSpan.FromSeconds(10), () => "spawned shell wrote no report", CancellationToken.None);
            ChildProcess.Reap(pid);
            var lines = await File.ReadAllLinesAsync(report);
            lines[..3].ShouldAllBe(l => l == "/dev/null");
            lines[3].Trim().ShouldBe("0 1 2");
            lines[4].Trim().ShouldBe(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)); // session leader
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void MissingExecutable_IsAnIOException_NamingIt() =>
        Should.Throw<IOException>(() => DetachedSpawn.Spawn("/nonexistent/shim", [])).Message.ShouldContain("/nonexistent/shim");
}
