using System.Runtime.InteropServices;

namespace Shim.Containerd.Lifecycle;

/// <summary>The daemon's end of <see cref="ReadinessPipe"/>: one byte once the socket listens, then the fd is closed.</summary>
public static unsafe class ReadinessSignal
{
    /// <summary>
    /// Writes the readiness byte to <paramref name="fd"/> and closes it. Does nothing for null, and refuses an fd that
    /// is not a pipe (a mistyped <c>-ready-fd</c> must not scribble on a file or socket).
    /// </summary>
    /// <returns>Null when signalled (or nothing to signal), else why not.</returns>
    public static string? Send(int? fd)
    {
        if (fd is not { } f)
        {
            return null;
        }
        string target;
        try
        {
            target = new FileInfo($"/proc/self/fd/{f}").LinkTarget ?? "";
        }
        catch (IOException ex)
        {
            return $"-ready-fd {f}: {ex.Message}";
        }
        if (f < 3 || !target.StartsWith("pipe:", StringComparison.Ordinal))
        {
            return $"-ready-fd {f} is '{target}', not an inherited pipe: not signalled (start falls back to probing the socket)";
        }
        byte ready = 1;
        var written = ReadinessNative.Write(f, &ready, 1);
        var error = written == 1 ? null : $"-ready-fd {f}: write failed: {Marshal.GetLastPInvokeErrorMessage()}";
        ReadinessNative.Close(f); // never inherited by QEMU or anything else the daemon starts
        return error;
    }
}
