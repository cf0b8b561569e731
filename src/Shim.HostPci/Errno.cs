namespace Shim.HostPci;

/// <summary>Linux errno values that sysfs writes return (sysfs-pci.md §2).</summary>
public enum Errno
{
    EPERM = 1,
    ENOENT = 2,
    EIO = 5,
    ENXIO = 6,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    EISDIR = 21,
    EINVAL = 22,
    ENOSPC = 28,
    EROFS = 30,
    ERANGE = 34,
    EOPNOTSUPP = 95,
    ETIMEDOUT = 110,
}
