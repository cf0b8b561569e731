namespace Shim.Ttrpc;

/// <summary>
/// A ttrpc call that ended with a non-OK status. Handlers throw it to choose the code containerd sees
/// (e.g. <see cref="StatusCode.NotFound"/> for a deleted task); clients receive it for every error reply.
/// </summary>
public class TtrpcException(StatusCode code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public StatusCode Code { get; } = code;

    /// <summary>The status text without the code, as it travels in <c>Status.message</c>.</summary>
    public string StatusMessage { get; } = message;

    public override string ToString() => $"ttrpc status {(int)Code} {Code}: {StatusMessage}";
}

/// <summary>
/// The connection ended (EOF, reset, broken pipe, local close) before the call completed — Go's
/// <c>ttrpc: closed</c>. Callers that keep a long-lived connection (the events publisher) reconnect on it.
/// </summary>
public sealed class TtrpcClosedException(string detail, Exception? innerException = null)
    : TtrpcException(StatusCode.Unavailable, string.IsNullOrEmpty(detail) ? ClosedText : $"{ClosedText}: {detail}", innerException)
{
    public const string ClosedText = "ttrpc: closed";
}
