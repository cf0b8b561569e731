using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Shim.TestAgent;

/// <summary>
/// A pty pair for a terminal process (<c>Process.Terminal</c>). The agent keeps the master: reads are the
/// process's output (EIO once every slave fd is closed = end of stream), writes are its input, and
/// TIOCSWINSZ sets the window size the process sees. The process opens the slave by <see cref="SlavePath"/>.
/// </summary>
public sealed partial class PseudoTerminal : IDisposable
{
    private const int ORdwr = 0x2;
    private const int ONoctty = 0x100;
    private const int OCloexec = 0x80000;
    private const int Eintr = 4;
    private const int Eio = 5;
    private const int Eagain = 11;
    private const ulong Tiocswinsz = 0x5414;
    private const ulong Tiocgwinsz = 0x5413;
    private const short PollIn = 0x1;
    private const short PollErr = 0x8;
    private const short PollHup = 0x10;

    // Poll slice: how quickly a blocked read notices disposal or cancellation.
    private const int PollMilliseconds = 100;

    private readonly SafeFileHandle master;
    private readonly CancellationTokenSource disposed = new();
    private SafeFileHandle? slave;

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave, string slavePath)
    {
        this.master = master;
        this.slave = slave;
        SlavePath = slavePath;
    }

    /// <summary>e.g. <c>/dev/pts/3</c>.</summary>
    public string SlavePath { get; }

    /// <summary>posix_openpt + grantpt + unlockpt; every fd close-on-exec so no other child inherits the pair.</summary>
    public static unsafe PseudoTerminal Open()
    {
        var fd = PosixOpenpt(ORdwr | ONoctty | OCloexec);
        if (fd < 0)
        {
            throw Failure("posix_openpt");
        }
        var master = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Grantpt(fd) != 0)
            {
                throw Failure("grantpt");
            }
            if (Unlockpt(fd) != 0)
            {
                throw Failure("unlockpt");
            }
            var name = stackalloc byte[128];
            if (PtsnameR(fd, name, 128) != 0)
            {
                throw Failure("ptsname_r");
            }
            var path = Marshal.PtrToStringUTF8((nint)name)!;
            // Held until the process has exited: until the process opens its own slave fd, a master read
            // must block rather than see "no slave" (EIO).
            var slaveFd = OpenPath(path, ORdwr | ONoctty | OCloexec);
            if (slaveFd < 0)
            {
                throw Failure($"open {path}");
            }
            return new PseudoTerminal(master, new SafeFileHandle(slaveFd, ownsHandle: true), path);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Drops the agent's own slave fd, so the master sees EIO once the process's fds are closed too.</summary>
    public void ReleaseSlave() => Interlocked.Exchange(ref slave, null)?.Dispose();

    /// <summary>TIOCSWINSZ on the master; the kernel sends SIGWINCH to the terminal's foreground process group.</summary>
    public void Resize(ushort rows, ushort columns)
    {
        var size = new WinSize { Rows = rows, Columns = columns };
        if (Ioctl(Fd(), Tiocswinsz, ref size) != 0)
        {
            throw Failure("ioctl TIOCSWINSZ");
        }
    }

    public (ushort Rows, ushort Columns) Size
    {
        get
        {
            var size = default(WinSize);
            return Ioctl(Fd(), Tiocgwinsz, ref size) == 0 ? (size.Rows, size.Columns) : throw Failure("ioctl TIOCGWINSZ");
        }
    }

    /// <summary>One read of up to <paramref name="maxBytes"/>; empty = end of stream (EIO, or the terminal was disposed).</summary>
    public Task<byte[]> ReadAsync(int maxBytes, CancellationToken cancellationToken) =>
        // A dedicated thread: a read can wait for the whole life of the process.
        Task.Factory.StartNew(() => Read(maxBytes, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        // A write blocks while the terminal's input queue is full, as a pipe does.
        Task.Factory.StartNew(() => Write(data.Span), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private unsafe byte[] Read(int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxBytes];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (disposed.IsCancellationRequested)
            {
                return [];
            }
            var added = false;
            try
            {
                master.DangerousAddRef(ref added);
                var fd = (int)master.DangerousGetHandle();
                var poll = new PollFd { Fd = fd, Events = PollIn };
                var ready = Poll(&poll, 1, PollMilliseconds);
                if (ready < 0 && Marshal.GetLastPInvokeError() != Eintr)
                {
                    throw Failure("poll");
                }
                if (ready <= 0 || (poll.Revents & (PollIn | PollHup | PollErr)) == 0)
                {
                    continue;
                }
                fixed (byte* p = buffer)
                {
                    var n = ReadFd(fd, p, (nuint)buffer.Length);
                    if (n > 0)
                    {
                        return n == buffer.Length ? buffer : buffer[..(int)n];
                    }
                    var errno = n == 0 ? Eio : Marshal.GetLastPInvokeError();
                    if (errno is Eintr or Eagain)
                    {
                        continue;
                    }
                    // EIO: no slave fd is open any more — the pty's end of stream.
                    return errno == Eio ? [] : throw Failure("read");
                }
            }
            catch (ObjectDisposedException)
            {
                return [];
            }
            finally
            {
                if (added)
                {
                    master.DangerousRelease();
                }
            }
        }
    }

    private unsafe void Write(ReadOnlySpan<byte> data)
    {
        var added = false;
        try
        {
            master.DangerousAddRef(ref added);
            var fd = (int)master.DangerousGetHandle();
            fixed (byte* p = data)
            {
                var offset = 0;
                while (offset < data.Length)
                {
                    var n = WriteFd(fd, p + offset, (nuint)(data.Length - offset));
                    if (n < 0)
                    {
                        if (Marshal.GetLastPInvokeError() == Eintr)
                        {
                            continue;
                        }
                        throw new IOException(Failure("write to the pty master").Message);
                    }
                    offset += (int)n;
                }
            }
        }
        finally
        {
            if (added)
            {
                master.DangerousRelease();
            }
        }
    }

    private int Fd() => (int)master.DangerousGetHandle();

    private static InvalidOperationException Failure(string call) =>
        new($"{call} failed: errno {Marshal.GetLastPInvokeError()} ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})");

    public void Dispose()
    {
        disposed.Cancel();
        ReleaseSlave();
        master.Dispose();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenpt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int Grantpt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int Unlockpt(int fd);

    [LibraryImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    private static unsafe partial int PtsnameR(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenPath(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, ref WinSize size);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadFd(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteFd(int fd, byte* buffer, nuint count);
}
