using System.Collections.Immutable;

namespace Shim.Configuration.Loading;

/// <summary>[runtime] and [agent.kata]: Kata tables, so unknown keys are ignored, not refused.</summary>
internal static class KataSectionReaders
{
    public static RuntimeSettings ReadRuntime(SectionReader r) => new(
        VfioMode: r.Read("vfio_mode", VfioMode.GuestKernel, ValueParsers.Enum(ConfigurationNames.VfioModes)),
        EnableDebug: r.Read("enable_debug", false, ValueParsers.Boolean, allowOverride: false),
        DanConf: r.Read("dan_conf", "/run/kata-containers/dans", ValueParsers.AbsolutePath(allowEmpty: false), allowOverride: false),
        PodResourceApiSock: r.Read("pod_resource_api_sock", "", ValueParsers.AbsolutePath(allowEmpty: true), allowOverride: false));

    public static AgentSettings ReadAgent(SectionReader r) => new(
        DialTimeoutSeconds: r.Read("dial_timeout", 45, ValueParsers.Integer(1, 3600, " seconds")),
        EnableDebug: r.Read("enable_debug", false, ValueParsers.Boolean),
        DebugConsoleEnabled: r.Read("debug_console_enabled", false, ValueParsers.Boolean),
        KernelModules: r.Read("kernel_modules", ImmutableArray<string>.Empty, ValueParsers.StringList(m => m.Trim().Length == 0 ? "must not be empty" : null)));
}
