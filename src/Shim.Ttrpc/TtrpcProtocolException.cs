namespace Shim.Ttrpc;

/// <summary>The peer broke the framing (truncated frame, reserved length byte set...): the connection is closed.</summary>
public sealed class TtrpcProtocolException(string message, Exception? innerException = null)
    : IOException(message, innerException);
