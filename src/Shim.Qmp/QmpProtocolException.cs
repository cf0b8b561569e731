namespace Shim.Qmp;

/// <summary>The peer sent something that is not QMP (bad JSON, no greeting).</summary>
public sealed class QmpProtocolException : QmpException
{
    public QmpProtocolException(string socketPath, string detail, Exception? inner = null)
        : base($"QMP peer at '{socketPath}' violated the protocol: {detail}", inner)
    {
        SocketPath = socketPath;
    }

    public string SocketPath { get; }
}
