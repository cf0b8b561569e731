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
        KernelModules: r.Read("kernel_modules", ImmutableArray<string>.Empty, ValueParsers.StringList(m => m.Trim().Length == 0 ? "must not be empty" : null)),
        // kataplug extension: where the agent is reached when the VMM does not provide it (tests, proxies).
        Address: r.Read("address", "", ValueParsers.Text(AgentAddressProblem, "\"\", hvsock://<socket>:<port> or unix://<socket>"), allowOverride: false));

    private static string? AgentAddressProblem(string address)
    {
        if (address.Length == 0) return null;
        string path;
        if (address.StartsWith("unix://", StringComparison.Ordinal)) path = address["unix://".Length..];
        else if (address.StartsWith("hvsock://", StringComparison.Ordinal))
        {
            var rest = address["hvsock://".Length..];
            var colon = rest.LastIndexOf(':');
            if (colon <= 0 || !uint.TryParse(rest.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                return "needs a port: hvsock://<socket>:1024";
            path = rest[..colon];
        }
        else return "must be \"\" (vsock to the guest), hvsock://<socket>:<port> or unix://<socket>";
        return Path.IsPathRooted(path) ? null : $"the socket path '{path}' must be absolute";
    }
}
