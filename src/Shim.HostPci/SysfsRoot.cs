namespace Shim.HostPci;

/// <summary>
/// The one place where sysfs and devfs paths are built. Every path is derived from a root prefix (default "/"),
/// from validated components only (<see cref="PciAddress"/>, <see cref="SysfsName"/>, group numbers), and anything
/// that resolves (through symlinks) outside the root is refused. Tests point the root at an emulated tree.
/// </summary>
public sealed class SysfsRoot
{
    public SysfsRoot(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("sysfs root must be a directory path, e.g. / or /tmp/fake-host", nameof(path));
        var full = System.IO.Path.GetFullPath(path);
        Path = full.Length > 1 ? full.TrimEnd('/') : full;
        prefix = Path == "/" ? "/" : Path + "/";
    }

    public static SysfsRoot Host { get; } = new("/");

    /// <summary>Absolute, normalised root directory without a trailing slash ("/" for the real host).</summary>
    public string Path { get; }

    public bool IsHostRoot => Path == "/";

    private readonly string prefix;

    public string Sys => Join("sys");
    public string PciDevicesDir => Join("sys/bus/pci/devices");
    public string PciDriversDir => Join("sys/bus/pci/drivers");
    public string DriversProbe => Join("sys/bus/pci/drivers_probe");
    public string IommuGroupsDir => Join("sys/kernel/iommu_groups");
    public string IommuClassDir => Join("sys/class/iommu");
    public string SysBlockDir => Join("sys/block");
    public string VfioPciModuleDir => Join("sys/module/vfio_pci");
    public string NoIommuParameter => Join("sys/module/vfio/parameters/enable_unsafe_noiommu_mode");
    public string DevVfioDir => Join("dev/vfio");
    public string DevVfioContainer => Join("dev/vfio/vfio");
    public string DevIommu => Join("dev/iommu");
    public string Mounts => Join("proc/self/mounts");
    public string KernelRelease => Join("proc/sys/kernel/osrelease");
    public string LibModulesDir => Join("lib/modules");

    public string Device(PciAddress address) => Join("sys/bus/pci/devices/" + address);
    public string DeviceAttribute(PciAddress address, string attribute) => Join($"sys/bus/pci/devices/{address}/{attribute}");
    public string Driver(string driver) => Join("sys/bus/pci/drivers/" + SysfsName.RequireDriver(driver));
    public string DriverBind(string driver) => Driver(driver) + "/bind";
    public string DriverUnbind(string driver) => Driver(driver) + "/unbind";
    public string IommuGroup(int group) => Join("sys/kernel/iommu_groups/" + SysfsName.RequireGroup(group));
    public string DevVfioGroup(int group) => Join("dev/vfio/" + SysfsName.RequireGroup(group));

    /// <summary>True when the absolute path lies inside the root (the root itself included).</summary>
    public bool Contains(string absolutePath) =>
        IsHostRoot ? absolutePath.StartsWith('/') : absolutePath == Path || absolutePath.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>
    /// Resolves every symlink in the path (like realpath(3)) and returns the canonical path, or throws when the
    /// path, or any link on the way, lands outside the root. A missing final component is allowed (the kernel
    /// then answers ENOENT on open).
    /// </summary>
    public string ResolveInside(string path)
    {
        var resolved = Resolve(path);
        if (!Contains(resolved))
            throw new UnauthorizedAccessException(
                $"'{path}' resolves to '{resolved}', outside the sysfs root '{Path}'; refusing to touch it");
        return resolved;
    }

    /// <summary>Lexical resolution of a link target relative to the link's directory; cheap (no syscalls).</summary>
    public string? ResolveLinkLexically(string linkPath, string? target)
    {
        if (target is null) return null;
        var combined = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(linkPath)!, target));
        return Contains(combined) ? combined : null;
    }

    private string Join(string relative) => IsHostRoot ? "/" + relative : prefix + relative;

    private static string Resolve(string path)
    {
        // Walk component by component so that intermediate links (sysfs device links) are followed too.
        var pending = new Stack<string>(System.IO.Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = new List<string>();
        int hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..") { if (current.Count > 0) current.RemoveAt(current.Count - 1); continue; }
            current.Add(part);
            var here = "/" + string.Join('/', current);
            var target = SysfsReader.ReadLink(here);
            if (target is null) continue;
            if (++hops > 40)
                throw new IOException($"too many levels of symbolic links resolving '{path}' (ELOOP)");
            current.RemoveAt(current.Count - 1);
            if (target.StartsWith('/')) current.Clear();
            foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                pending.Push(t);
        }
        return "/" + string.Join('/', current);
    }

    public override string ToString() => Path;
}
