namespace Shim.Qmp;

/// <summary>QEMU answered a command with <c>{"error": {"class", "desc"}}</c>; both are carried verbatim.</summary>
public sealed class QmpCommandException : QmpException
{
    public QmpCommandException(string command, string errorClass, string description)
        : base($"QMP command '{command}' failed: {errorClass}: {description}")
    {
        Command = command;
        ErrorClass = errorClass;
        Description = description;
    }

    /// <summary>The command that QEMU rejected (e.g. <c>device_add</c>).</summary>
    public string Command { get; }

    /// <summary>QEMU's error class verbatim (<c>GenericError</c>, <c>DeviceNotFound</c>, <c>CommandNotFound</c>).</summary>
    public string ErrorClass { get; }

    /// <summary>QEMU's <c>desc</c> verbatim, e.g. <c>Bus 'rp9' not found</c>.</summary>
    public string Description { get; }
}
