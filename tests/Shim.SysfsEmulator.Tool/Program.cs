// emulated-host SPEC-FILE ROOT: builds the host described by SPEC-FILE (HostSpec text form) under ROOT, so that
// kataplug can be pointed at it with --sysfs-root / [host] sysfs_root. Used by hack/demo.sh.
using Shim.SysfsEmulator;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: emulated-host SPEC-FILE ROOT   (ROOT is replaced)");
    return 2;
}

try
{
    var host = HostSpec.Parse(File.ReadAllText(args[0])).Build(Path.GetFullPath(args[1]));
    Console.WriteLine($"emulated host ready at {host.Root}");
    return 0;
}
catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"emulated-host: {e.Message}");
    return 1;
}
