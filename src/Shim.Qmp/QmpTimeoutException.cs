namespace Shim.Qmp;

/// <summary>A command's reply or an awaited event did not arrive before the caller's deadline.</summary>
public sealed class QmpTimeoutException : QmpException
{
    public QmpTimeoutException(string what, TimeSpan timeout, string socketPath)
        : base($"QMP {what} on '{socketPath}' got no answer within {timeout.TotalMilliseconds:0} ms; " +
               "QEMU may be stopped or the guest is not responding — raise the deadline or inspect the VM.")
    {
        What = what;
        Timeout = timeout;
    }

    /// <summary>What was awaited: <c>command 'device_add'</c> or <c>event</c>.</summary>
    public string What { get; }

    public TimeSpan Timeout { get; }
}
