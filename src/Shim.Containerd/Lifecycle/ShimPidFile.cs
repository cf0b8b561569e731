namespace Shim.Containerd.Lifecycle;

/// <summary><c>&lt;bundle&gt;/shim.pid</c>: the daemon's pid, written by <c>start</c> in the bundle of the task that spawned it.</summary>
public static class ShimPidFile
{
    public const string FileName = "shim.pid";

    public static void Write(string bundleDirectory, int pid) =>
        AtomicFile.WriteAllText(Path.Combine(bundleDirectory, FileName), pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static int? Read(string bundleDirectory)
    {
        var path = Path.Combine(bundleDirectory, FileName);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) && pid > 0 ? pid : null;
    }
}
