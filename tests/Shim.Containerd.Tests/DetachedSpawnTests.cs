using System.Globalization;
using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

/// <summary>The daemon must share no fd with start's caller (the CombinedOutput trap, §3.6) and lead its own session.</summary>
public sealed class DetachedSpawnTests
{
    [Fact]
    public async Task Child_HasDevNullStdio_NoOtherFds_AndItsOwnSession()
    {
        var pid = DetachedSpawn.Spawn("/bin/sleep", ["30"]);
        try
        {
            // posix_spawn returns after the exec, but sleep's own start-up (setlocale) briefly opens files of its own:
            // wait for it to settle. An fd inherited from us would never go away, so the deadline still catches one.
            List<string?> Fds() => Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order().ToList();
            await Shim.HostPci.BoundedPoll.UntilAsync(() => Fds().Count == 3, TimeSpan.FromSeconds(10),
                () => $"child {pid} still has fds {string.Join(",", Fds())}", CancellationToken.None);
            var fds = Fds();
            fds.ShouldBe(["0", "1", "2"]);
            foreach (var fd in fds)
            {
                new FileInfo($"/proc/{pid}/fd/{fd}").LinkTarget.ShouldBe("/dev/null");
            }
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            fields[3].ShouldBe(pid.ToString(CultureInfo.InvariantCulture)); // field 6, session id: it leads its own session
            fields[2].ShouldBe(pid.ToString(CultureInfo.InvariantCulture)); // field 5, process group
        }
        finally
        {
            ChildProcess.Kill(pid);
            ChildProcess.Reap(pid);
        }
    }

    [Fact]
    public void MissingExecutable_IsAnIOException_NamingIt() =>
        Should.Throw<IOException>(() => DetachedSpawn.Spawn("/nonexistent/shim", [])).Message.ShouldContain("/nonexistent/shim");
}
