using Shim.Ttrpc.Wire;

namespace Shim.Ttrpc;

/// <summary>
/// Turns what a handler threw into the status containerd reads (ttrpc.md §5). Handlers choose a code by
/// throwing <see cref="TtrpcException"/>; everything else is mapped here.
/// </summary>
public static class ExceptionStatus
{
    /// <summary>Go's text for an expired deadline; containerd recognises it.</summary>
    public const string DeadlineExceededMessage = "context deadline exceeded";

    public static Status FromException(Exception exception) => exception switch
    {
        TtrpcException t => Make(t.Code, t.StatusMessage),
        // A handler's own timeouts surface as cancellation; containerd maps 4 to context.DeadlineExceeded.
        OperationCanceledException or TimeoutException => Make(StatusCode.DeadlineExceeded,
            string.IsNullOrEmpty(exception.Message) ? DeadlineExceededMessage : $"{exception.Message}: {DeadlineExceededMessage}"),
        NotImplementedException => Make(StatusCode.Unimplemented, exception.Message),
        AggregateException { InnerExceptions.Count: 1 } a => FromException(a.InnerExceptions[0]),
        _ => Make(StatusCode.Unknown, exception.Message),
    };

    public static Status Make(StatusCode code, string message) => new() { Code = (int)code, Message = message };
}
