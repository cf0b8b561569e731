using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Shim.Containerd.Native;

namespace Shim.Containerd.Io;

/// <summary>
/// One of containerd's stdio fifos. Opening a fifo blocks until the other side opens it, and the other side (ctr,
/// the CRI) may open it before or after us, or never; so the blocking open runs on its own thread and can be
/// released: <see cref="Release"/> holds the opposite end open until the pending open completes (a reader then sees
/// EOF once it is let go, a writer is closed right away).
/// </summary>
public sealed class StdioFifo
{
    private readonly string path;
    private readonly bool forReading;
    private readonly Task<Stream?> opened;
    private int released;

    private StdioFifo(string path, bool forReading)
    {
        this.path = path;
        this.forReading = forReading;
        opened = Task.Factory.StartNew(OpenBlocking, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>containerd's stdin fifo, opened for reading (completes when a writer appears or on release).</summary>
    public static StdioFifo OpenStdin(string path) => new(path, forReading: true);

    /// <summary>A stdout/stderr fifo, opened for writing (completes when containerd's reader is there).</summary>
    public static StdioFifo OpenOutput(string path) => new(path, forReading: false);

    public string Path => path;

    /// <summary>The stream once the open completed; null when the fifo was released before anyone opened the other end.</summary>
    public Task<Stream?> Opened => opened;

    /// <summary>
    /// Unblocks a pending open: for stdin the reader then sees EOF (containerd closed stdin before ever writing);
    /// for an output the stream is discarded. Harmless when the open already completed.
    /// </summary>
    public void Release()
    {
        if (opened.IsCompleted || Interlocked.Exchange(ref released, 1) != 0) return;
        // Both ends at once (O_RDWR never blocks on a fifo), held until the pending open has completed: the open thread
        // may not have reached open(2) yet, and an end opened and closed before it did would release nothing.
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) return; // the fifo is gone: the pending open fails on its own
        _ = opened.ContinueWith(_ => LibC.Close(fd), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private Stream? OpenBlocking()
    {
        while (true)
        {
            var fd = LibC.Open(path, (forReading ? LibC.O_RDONLY : LibC.O_WRONLY) | LibC.O_CLOEXEC, 0);
            if (fd >= 0)
            {
                var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), forReading ? FileAccess.Read : FileAccess.Write, bufferSize: 0);
                if (Volatile.Read(ref released) != 0 && !forReading)
                {
                    stream.Dispose();
                    return null;
                }
                return stream;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR) continue;
            throw new IOException($"cannot open containerd's fifo {path} for {(forReading ? "reading" : "writing")}: errno {errno}; containerd created it for this process, so it should exist");
        }
    }
}
