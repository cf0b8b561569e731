using System.Diagnostics;

namespace Shim.HostPci.Tests;

public class SysfsWriterTests
{
    [Fact]
    public void Writes_the_whole_value_in_one_write_without_creating_files()
    {
        using var t = new TestHost(b => b);
        var file = Path.Combine(t.Dir, "attr");
        File.WriteAllText(file, "old-and-longer\n");
        new SysfsWriter().Write(file, "vfio-pci");
        File.ReadAllText(file).ShouldStartWith("vfio-pci");

        var missing = Path.Combine(t.Dir, "missing");
        var e = Should.Throw<SysfsWriteException>(() => new SysfsWriter().Write(missing, "x"));
        e.Errno.ShouldBe(Errno.ENOENT);
        e.HResult.ShouldBe(2);
        e.Message.ShouldContain(missing);
        File.Exists(missing).ShouldBeFalse();

        // .NET refuses to open a directory for writing with UnauthorizedAccessException: reported as EACCES.
        Should.Throw<SysfsWriteException>(() => new SysfsWriter().Write(t.Dir, "x")).Errno.ShouldBe(Errno.EACCES);
    }

    [Fact]
    public void The_write_exception_names_errno_path_and_value()
    {
        var e = new SysfsWriteException("/sys/bus/pci/drivers_probe", "0000:3b:02.1\n", Errno.EBUSY);
        e.ShouldBeAssignableTo<IOException>();
        e.HResult.ShouldBe(16);
        e.Message.ShouldBe("writing '0000:3b:02.1\\n' to /sys/bus/pci/drivers_probe failed with EBUSY (16)");
    }

    [Fact]
    public async Task The_claim_lock_excludes_another_process_holding_flock()
    {
        // flock(1) takes flock(2) like .NET's FileShare.None on Linux: a real second process must block the ledger.
        using var t = new TestHost(b => b);
        Directory.CreateDirectory(t.State);
        var lockPath = Path.Combine(t.State, "claims.lock");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockPath, "cat"]) { RedirectStandardInput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("flock(1) is required (util-linux)");
        await BoundedPoll.UntilAsync(() => !CanLock(lockPath), TimeSpan.FromSeconds(10), () => "flock never took the lock", CancellationToken.None);

        var ledger = new ClaimLedger(t.State, TimeSpan.FromMilliseconds(200));
        await Should.ThrowAsync<TimeoutException>(() => ledger.ClaimAsync(1, "sb1", CancellationToken.None));

        holder.StandardInput.Close();
        await holder.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        (await new ClaimLedger(t.State, TimeSpan.FromSeconds(5)).ClaimAsync(1, "sb1", CancellationToken.None)).SandboxId.ShouldBe("sb1");
    }

    private static bool CanLock(string path)
    {
        try { using var _ = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); return true; }
        catch (IOException) { return false; }
    }
}
