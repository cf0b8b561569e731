using Microsoft.Extensions.Logging;

namespace Shim.Ttrpc;

/// <summary>Server settings; the defaults suit the shim daemon.</summary>
public sealed record TtrpcServerOptions
{
    /// <summary>Who may connect (checked with SO_PEERCRED before any byte is read).</summary>
    public PeerCredentialPolicy PeerPolicy { get; init; } = PeerCredentialPolicy.RootOrSameUser;

    /// <summary>
    /// Handlers running at once per connection; when reached the reader waits (back-pressure) instead of
    /// buffering requests without bound. Worst-case buffered request data is this × 4 MiB per connection.
    /// </summary>
    public int MaxConcurrentRequestsPerConnection { get; init; } = 1024;

    /// <summary>
    /// Connections served at once; further ones are closed on accept. containerd uses one per shim (plus one
    /// after each restart), so the default leaves ample room while bounding what a local peer can hold open.
    /// </summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Mode of a socket file created by <see cref="TtrpcServer.Listen(string)"/>, set before listen().</summary>
    public UnixFileMode SocketMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>listen() backlog.</summary>
    public int Backlog { get; init; } = 128;

    public ILogger? Logger { get; init; }
}
