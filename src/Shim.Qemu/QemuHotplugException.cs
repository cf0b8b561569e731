using Shim.Qmp;

namespace Shim.Qemu;

/// <summary>A hotplug operation was refused (by our validation or by QEMU, whose <c>desc</c> is then quoted verbatim).</summary>
public sealed class QemuHotplugException : Exception
{
    public QemuHotplugException(string deviceId, string operation, string detail, Exception? inner = null)
        : base($"{operation} '{deviceId}': {detail}", inner)
    {
        DeviceId = deviceId;
        Operation = operation;
        Detail = detail;
    }

    public string DeviceId { get; }

    public string Operation { get; }

    public string Detail { get; }

    /// <summary>QEMU's error when QEMU refused, else null.</summary>
    public QmpCommandException? QemuError => InnerException as QmpCommandException;
}
