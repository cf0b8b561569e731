namespace Shim.Ttrpc;

/// <summary>What a handler knows about its call besides the request message.</summary>
/// <param name="Service">Full service name as sent, e.g. <c>containerd.task.v2.Task</c>.</param>
/// <param name="Method">Bare method name, e.g. <c>Create</c>.</param>
/// <param name="StreamId">The call's stream id on its connection.</param>
/// <param name="Metadata">Request metadata (containerd 1.6 sends none except on the reload <c>Connect</c>).</param>
/// <param name="Deadline">From <c>timeout_nano</c>; null when the client set none.</param>
/// <param name="Peer">The connecting process.</param>
/// <param name="CancellationToken">Cancelled when the deadline passes, the connection closes or the server stops.</param>
public sealed record TtrpcCallContext(
    string Service,
    string Method,
    uint StreamId,
    TtrpcMetadata Metadata,
    DateTimeOffset? Deadline,
    PeerCredentials Peer,
    CancellationToken CancellationToken)
{
    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the moment the request frame was read (0 = unknown).</summary>
    public long ArrivalTimestamp { get; init; }

    /// <summary>Time since the request arrived (zero when unknown).</summary>
    public TimeSpan SinceArrival => ArrivalTimestamp == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(ArrivalTimestamp);
}
