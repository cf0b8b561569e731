namespace Shim.Qmp;

/// <summary>Base of every failure the QMP client reports.</summary>
public abstract class QmpException : Exception
{
    protected QmpException(string message, Exception? inner = null) : base(message, inner) { }
}
