namespace Shim.Configuration.Loading;

/// <summary>[host] (kataplug's own table: unknown keys are errors).</summary>
internal static class HostSettingsReader
{
    public static HostSettings Read(SectionReader r) => new(
        SysfsRoot: r.Read("sysfs_root", "/", ValueParsers.AbsolutePath(allowEmpty: false)),
        StateDir: r.Read("state_dir", "/run/kataplug", ValueParsers.AbsolutePath(allowEmpty: false)),
        AllowHostDevices: r.Read("allow_host_devices", false, ValueParsers.Boolean));
}
