using System.Text;
using Shim.Containerd.Native;

namespace Shim.Containerd.Logging;

/// <summary>
/// The bundle's <c>log</c> fifo, opened <c>O_WRONLY|O_NONBLOCK</c>: containerd holds the read side and copies
/// every line into its own log (containerd-shim-v2.md §5). Non-blocking so a stalled reader costs log lines,
/// never a stuck RPC; a full pipe drops the line.
/// </summary>
public sealed unsafe class FifoLogSink : ILogSink
{
    private readonly Lock gate = new();
    private int fd;

    private FifoLogSink(int fd) => this.fd = fd;

    /// <summary>Lines dropped because the pipe was full or broken.</summary>
    public long Dropped { get; private set; }

    /// <summary>Opens <paramref name="fifoPath"/>; null when it is missing or nobody reads it (ENXIO).</summary>
    public static FifoLogSink? TryOpen(string fifoPath)
    {
        var handle = LibC.Open(fifoPath, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        return handle < 0 ? null : new FifoLogSink(handle);
    }

    public void WriteLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line.EndsWith('\n') ? line : line + "\n");
        lock (gate)
        {
            if (fd < 0)
            {
                return;
            }
            fixed (byte* p = bytes)
            {
                // One write() per line: pipe writes up to PIPE_BUF (4096) are atomic, so lines never interleave.
                var written = LibC.Write(fd, p, (nuint)bytes.Length);
                if (written != bytes.Length)
                {
                    Dropped++;
                }
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (fd >= 0)
            {
                LibC.Close(fd);
                fd = -1;
            }
        }
    }
}
