using System.Text.Json;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// What <c>delete</c> needs to clean up after a dead daemon, recorded on disk in the sandbox bundle because
/// <c>delete</c> must never ask the daemon (containerd-shim-v2.md §6.2). Written by the daemon as soon as it
/// knows each value (configuration loaded, QEMU launched).
/// </summary>
/// <param name="SandboxId">The sandbox the bundle's daemon serves (the HostPci journal key).</param>
/// <param name="HostPciStateDirectory">[host] state_dir of the loaded configuration (binding journal + claims).</param>
/// <param name="SysfsRoot">[host] sysfs_root of the loaded configuration ("/" in production).</param>
/// <param name="QemuPid">The hypervisor's pid once launched.</param>
/// <param name="QemuStartTicks">Field 22 of /proc/&lt;pid&gt;/stat at launch: guards against pid reuse.</param>
/// <param name="ConfigPath">The configuration file that was loaded.</param>
public sealed record BundleState(
    string SandboxId,
    string? HostPciStateDirectory = null,
    string? SysfsRoot = null,
    int? QemuPid = null,
    ulong? QemuStartTicks = null,
    string? ConfigPath = null)
{
    public const string FileName = "kataplug-state.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string PathIn(string bundleDirectory) => Path.Combine(bundleDirectory, FileName);

    /// <summary>The recorded state, or null when none was written (the daemon died before loading anything).</summary>
    /// <exception cref="InvalidDataException">the file is corrupt.</exception>
    public static BundleState? Load(string bundleDirectory)
    {
        var path = PathIn(bundleDirectory);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<BundleState>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"{path} holds JSON null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is corrupt ({ex.Message}); clean up by hand (kataplug restore), then delete it", ex);
        }
    }

    /// <summary>
    /// Records the launched hypervisor (with its start time, so delete never kills a process that reused the pid).
    /// Call right after QEMU starts; delete then stops it if the daemon dies.
    /// </summary>
    public static void RecordQemu(string bundleDirectory, string sandboxId, int qemuPid)
    {
        var current = Load(bundleDirectory) ?? new BundleState(sandboxId);
        (current with { QemuPid = qemuPid, QemuStartTicks = ChildProcess.StartTicks(qemuPid) }).Save(bundleDirectory);
    }

    public void Save(string bundleDirectory) =>
        AtomicFile.WriteAllText(PathIn(bundleDirectory), JsonSerializer.Serialize(this, Json));
}
