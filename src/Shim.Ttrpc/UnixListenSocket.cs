using System.Net.Sockets;
using System.Text;

namespace Shim.Ttrpc;

/// <summary>Creates the listening unix socket for a path: stale-file cleanup, mode set before listen().</summary>
internal static class UnixListenSocket
{
    // sun_path is 108 bytes including the terminating NUL.
    private const int MaxPathBytes = 107;

    public static Socket Bind(string path, UnixFileMode mode, int backlog)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ttrpc unix sockets with SO_PEERCRED need Linux");
        }
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            throw new ArgumentException(
                $"socket path '{path}' is {bytes} bytes; unix sockets allow {MaxPathBytes}: use a shorter directory", nameof(path));
        }
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"directory '{directory}' of socket path '{path}' does not exist; create it first");
        }
        RemoveStale(path);

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // Nobody can connect before listen(), so setting the mode here leaves no window with a wider one.
            File.SetUnixFileMode(path, mode);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a leftover socket file nobody listens on; refuses to steal a live one.</summary>
    private static void RemoveStale(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Non-blocking: a full backlog must not hang us; it answers WouldBlock and counts as live.
            probe.Blocking = false;
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                File.Delete(path);
                return;
            }
            catch (SocketException ex)
            {
                throw new IOException($"socket path '{path}' exists and is not a stale socket ({ex.SocketErrorCode}); stop its server or remove the file", ex);
            }
        }
        throw new IOException($"socket path '{path}' is served by a live process; stop it or choose another path");
    }
}
