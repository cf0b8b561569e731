using System.Diagnostics;
using Shim.Containerd.Io;
using Shim.Containerd.Mounts;

namespace Shim.Containerd.Tests;

/// <summary>containerd's stdio fifos as the shim opens them: either side may come first, or never.</summary>
public sealed class StdioFifoTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string dir = Directory.CreateTempSubdirectory("kpfifo-").FullName;

    private string MakeFifo(string name)
    {
        var path = Path.Combine(dir, name);
        using var mkfifo = Process.Start("mkfifo", path)!;
        mkfifo.WaitForExit();
        mkfifo.ExitCode.ShouldBe(0);
        return path;
    }

    [Fact]
    public async Task AnOutputFifo_OpensOnceContainerdsReaderIsThere_AndCarriesTheBytes()
    {
        var path = MakeFifo("stdout");
        var fifo = StdioFifo.OpenOutput(path);
        fifo.Opened.IsCompleted.ShouldBeFalse(); // no reader yet: the open waits, on its own thread

        await using var reader = new FileStream(path, FileMode.Open, FileAccess.Read);
        await using var writer = (await fifo.Opened.WaitAsync(Patience)).ShouldNotBeNull();
        await writer.WriteAsync("hello\n"u8.ToArray());
        await writer.DisposeAsync();
        (await new StreamReader(reader).ReadToEndAsync()).ShouldBe("hello\n");
    }

    [Fact]
    public async Task Stdin_ThatContainerdNeverOpens_IsReleasedAsEndOfFile()
    {
        var fifo = StdioFifo.OpenStdin(MakeFifo("stdin"));
        fifo.Opened.IsCompleted.ShouldBeFalse();

        fifo.Release();

        await using var stream = (await fifo.Opened.WaitAsync(Patience)).ShouldNotBeNull();
        (await stream.ReadAsync(new byte[16])).ShouldBe(0);
    }

    [Fact]
    public async Task AnOutputFifo_WithoutAReader_IsReleasedAsNothingToWrite()
    {
        var fifo = StdioFifo.OpenOutput(MakeFifo("stderr"));

        fifo.Release();

        (await fifo.Opened.WaitAsync(Patience)).ShouldBeNull();
    }

    [Fact]
    public void DeleteTreeSafely_DetachesABindMountFirst_SoTheMountedDirectoryIsNeverEmptied()
    {
        var source = Directory.CreateDirectory(Path.Combine(dir, "rootfs")).FullName;
        File.WriteAllText(Path.Combine(source, "precious"), "keep me");
        var state = Path.Combine(dir, "state", "sandboxes", "s1");
        var share = Directory.CreateDirectory(Path.Combine(state, "shared", "c1", "rootfs")).FullName;
        MountTable.Bind(source, share);
        File.Exists(Path.Combine(share, "precious")).ShouldBeTrue();
        MountTable.MountPointsUnder(state).ShouldBe([share]);

        MountTable.DeleteTreeSafely(state);

        Directory.Exists(state).ShouldBeFalse();
        File.ReadAllText(Path.Combine(source, "precious")).ShouldBe("keep me");
        MountTable.MountPointsUnder(dir).ShouldBeEmpty();
    }

    public void Dispose()
    {
        MountTable.DetachAllUnder(dir);
        Directory.Delete(dir, recursive: true);
    }
}
