using System.Reflection;

namespace Shim.HostPci;

/// <summary>
/// Chooses the sysfs writer for a root. On the real host ("/") this is always <see cref="SysfsWriter"/>.
/// A non-host root may carry <c>.emulator/writer</c> (two lines: assembly path, type name), written by the test-only
/// sysfs emulator; the named <see cref="ISysfsWriter"/> is then loaded by reflection and constructed with the root
/// path, so that a separate process (the shim under containerd) applies the same emulated kernel semantics
/// without the product referencing test code. The emulator never ships; the host root never honours the file.
/// </summary>
public static class SysfsWriterFactory
{
    public const string DescriptorRelativePath = ".emulator/writer";

    public static ISysfsWriter Create(SysfsRoot root)
    {
        if (root.IsHostRoot)
            return new SysfsWriter();
        var descriptor = Path.Combine(root.Path, DescriptorRelativePath);
        if (!File.Exists(descriptor))
            return new SysfsWriter();
        var lines = File.ReadAllLines(descriptor);
        if (lines.Length < 2 || !Path.IsPathFullyQualified(lines[0]))
            throw new InvalidOperationException(
                $"{descriptor} must hold two lines: the absolute path of the emulator assembly and the writer type name");
        var assembly = Assembly.LoadFrom(lines[0]);
        var type = assembly.GetType(lines[1].Trim(), throwOnError: true)!;
        if (!typeof(ISysfsWriter).IsAssignableFrom(type))
            throw new InvalidOperationException($"{type.FullName} named in {descriptor} does not implement {nameof(ISysfsWriter)}");
        return (ISysfsWriter)Activator.CreateInstance(type, root.Path)!;
    }
}
