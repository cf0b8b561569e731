using System.Runtime.InteropServices;
using Shim.Qemu;
using Shim.Qmp;

namespace Shim.Qemu.Tests;

/// <summary>A paused, guest-less q35 QEMU in its own temp dir; disposal kills it and removes the dir.</summary>
public sealed partial class TestVm : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private TestVm(TempDir dir, QemuProcess process)
    {
        Dir = dir;
        Process = process;
    }

    public TempDir Dir { get; }

    public QemuProcess Process { get; }

    public QmpClient Qmp => Process.Qmp;

    public static QemuLaunchSpec Spec(TempDir dir) => new()
    {
        QmpSocketPath = dir.File("qmp.sock"),
        StartPaused = true,
        Accelerator = "tcg",
        MemoryMiB = 128,
    };

    public static async Task<TestVm> StartAsync(Func<QemuLaunchSpec, QemuLaunchSpec>? customize = null)
    {
        var dir = new TempDir();
        try
        {
            var spec = Spec(dir);
            if (customize is not null) spec = customize(spec);
            var p = await QemuProcess.StartAsync(spec, Deadline, CancellationToken.None);
            return new TestVm(dir, p);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    public void Signal(int signal) => Kill(Process.Pid, signal).ShouldBe(0);

    public const int SIGKILL = 9;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        try { Kill(Process.Pid, SIGCONT); } catch (InvalidOperationException) { }
        await Process.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>A short unique directory under /tmp (unix socket paths are limited to 107 bytes).</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("kq").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
