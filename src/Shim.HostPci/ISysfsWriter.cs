namespace Shim.HostPci;

/// <summary>
/// Every sysfs write of the product goes through this interface: one write() of the whole value to an attribute
/// path that has already been validated and resolved inside the sysfs root. Failures throw
/// <see cref="SysfsWriteException"/> carrying the errno. Tests substitute a kernel emulator or a fault injector.
/// </summary>
public interface ISysfsWriter
{
    void Write(string attributePath, string value);
}
