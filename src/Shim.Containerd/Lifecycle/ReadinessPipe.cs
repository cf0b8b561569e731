using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// <c>start</c>'s end of the daemon's readiness pipe. The daemon gets the write end as fd <see cref="DaemonFd"/>
/// (<c>-ready-fd 3</c>) and writes one byte once its socket listens (<see cref="ReadinessSignal"/>); if it dies first,
/// the kernel closes the write end and <c>start</c> reads EOF. Either way <c>start</c> learns at once, instead of
/// polling the socket with a back-off that added up to 50 ms to every <c>start</c>.
/// </summary>
public sealed unsafe class ReadinessPipe : IDisposable
{
    /// <summary>The fd number the daemon finds the write end at.</summary>
    public const int DaemonFd = 3;

    private int _readFd;
    private int _writeFd;

    private ReadinessPipe(int readFd, int writeFd)
    {
        _readFd = readFd;
        _writeFd = writeFd;
    }

    /// <summary>The write end, to pass to <see cref="DetachedSpawn.Spawn(string, IReadOnlyList{string}, int?)"/>; -1 once closed.</summary>
    public int WriteFd => _writeFd;

    /// <summary>A pipe whose ends are close-on-exec here: only the spawned daemon (through dup2) inherits one.</summary>
    /// <exception cref="IOException">pipe2 failed.</exception>
    public static ReadinessPipe Create()
    {
        int* fds = stackalloc int[2];
        if (ReadinessNative.Pipe2(fds, ReadinessNative.O_CLOEXEC) != 0)
        {
            throw new IOException($"pipe2 for the shim daemon's readiness failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        var writeFd = fds[1];
        if (writeFd == DaemonFd)
        {
            // dup2(3, 3) would keep close-on-exec on glibc < 2.29: move the write end off fd 3.
            var moved = ReadinessNative.Fcntl(writeFd, ReadinessNative.F_DUPFD_CLOEXEC, DaemonFd + 1);
            ReadinessNative.Close(writeFd);
            if (moved < 0)
            {
                ReadinessNative.Close(fds[0]);
                throw new IOException($"fcntl(F_DUPFD_CLOEXEC) for the readiness pipe failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
            writeFd = moved;
        }
        return new ReadinessPipe(fds[0], writeFd);
    }

    /// <summary>After the spawn: our copy of the write end must go, or EOF would never come when the daemon dies.</summary>
    public void CloseWriteEnd() => CloseFd(ref _writeFd);

    /// <summary>
    /// Blocks until the daemon reports ready, closes its end without a word (it died or cannot serve), or
    /// <paramref name="timeout"/> passes. The caller then checks the socket and the child either way.
    /// </summary>
    public ReadinessOutcome WaitReady(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var pollFd = new ReadinessNative.PollFd { Fd = _readFd, Events = ReadinessNative.POLLIN };
        while (true)
        {
            var left = (int)Math.Max(0, (timeout - clock.Elapsed).TotalMilliseconds);
            var rc = ReadinessNative.Poll(&pollFd, 1, left);
            if (rc < 0 && Marshal.GetLastPInvokeError() == ReadinessNative.EINTR)
            {
                continue;
            }
            if (rc <= 0)
            {
                return ReadinessOutcome.TimedOut; // (or poll failed): the caller's bounded poll decides
            }
            byte b;
            var n = ReadinessNative.Read(_readFd, &b, 1);
            if (n < 0 && Marshal.GetLastPInvokeError() == ReadinessNative.EINTR)
            {
                continue;
            }
            return n == 1 ? ReadinessOutcome.Ready : ReadinessOutcome.Closed;
        }
    }

    public void Dispose()
    {
        CloseFd(ref _readFd);
        CloseFd(ref _writeFd);
    }

    private static void CloseFd(ref int fd)
    {
        if (fd >= 0)
        {
            ReadinessNative.Close(fd);
            fd = -1;
        }
    }
}

/// <summary>What <see cref="ReadinessPipe.WaitReady"/> saw.</summary>
public enum ReadinessOutcome
{
    /// <summary>The daemon wrote its byte: it listens.</summary>
    Ready,

    /// <summary>The write end closed without a byte: the daemon exited (or closed it) before serving.</summary>
    Closed,

    /// <summary>Nothing before the deadline.</summary>
    TimedOut,
}
