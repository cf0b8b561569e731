using System.Globalization;
using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

/// <summary>The daemon must share no fd with start's caller (the CombinedOutput trap, §3.6) and lead its own session.</summary>
public sealed class DetachedSpawnTests
{
    [Fact]
    public void Child_HasDevNullStdio_NoOtherFds_AndItsOwnSession()
    {
        // posix_spawn returns after the exec, so /proc already shows the child's final fds.
        var pid = DetachedSpawn.Spawn("/bin/sleep", ["30"]);
        try
        {
            var fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Select(Path.GetFileName).Order().ToList();
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
