namespace Shim.Qmp;

/// <summary>
/// The QMP connection is gone (QEMU exited, was killed, or reset the socket). Every pending call and every
/// subscription fails with this at once; the client cannot be reused.
/// </summary>
public sealed class QmpConnectionLostException : QmpException
{
    public QmpConnectionLostException(string socketPath, string reason, Exception? inner = null, bool neverConnected = false)
        : base($"QMP connection to '{socketPath}' lost: {reason}. QEMU has probably exited; check its exit code and stderr.", inner)
    {
        SocketPath = socketPath;
        Reason = reason;
        NeverConnected = neverConnected;
    }

    /// <summary>True when <c>connect()</c> itself failed (nobody listening yet, or a stale socket file).</summary>
    public bool NeverConnected { get; }

    public string SocketPath { get; }

    public string Reason { get; }
}
