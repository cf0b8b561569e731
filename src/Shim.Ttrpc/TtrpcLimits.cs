namespace Shim.Ttrpc;

/// <summary>Wire limits shared by the server and the client (ttrpc.md §2, §2.3).</summary>
public static class TtrpcLimits
{
    /// <summary>Size of the frame header: length(4) + stream id(4) + type(1) + flags(1).</summary>
    public const int HeaderLength = 10;

    /// <summary>ttrpc's <c>messageLengthMax</c>: 4 MiB of data per frame.</summary>
    public const int MaxDataLength = 4 << 20;

    /// <summary>
    /// Oversized frames up to this length are discarded and answered (the Go behaviour). Anything larger has a
    /// non-zero first byte, which the protocol reserves: it is not a ttrpc peer, so the connection is closed at
    /// once instead of draining up to 4 GiB.
    /// </summary>
    public const int MaxDiscardLength = (1 << 24) - 1;

    /// <summary>The Go error text for an oversized frame, kept byte-identical.</summary>
    public static string OversizedMessage(long length) =>
        $"message length {length} exceed maximum message size of {MaxDataLength}";
}
