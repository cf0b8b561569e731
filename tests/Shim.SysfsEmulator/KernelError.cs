using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>An errno returned by an emulated kernel operation; the writer turns it into a SysfsWriteException.</summary>
public sealed class KernelError : Exception
{
    public KernelError(Errno errno, string detail) : base($"{errno}: {detail}")
    {
        Errno = errno;
    }

    public Errno Errno { get; }
}
