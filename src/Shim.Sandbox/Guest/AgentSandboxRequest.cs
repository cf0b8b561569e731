using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>Builds <c>CreateSandboxRequest</c> as Kata's Go runtime fills it (kata-agent-protocol.md §2.3, §3.1 step 10).</summary>
public static class AgentSandboxRequest
{
    /// <summary>Go cuts the hostname to this length (the kernel's limit).</summary>
    public const int MaxHostnameLength = 64;

    /// <summary>Where a bind of the pod's resolver configuration lands in the sandbox spec.</summary>
    public const string ResolvConfDestination = "/etc/resolv.conf";

    /// <param name="sandboxId">The sandbox (= its sandbox container's) id.</param>
    /// <param name="hostname">Sandbox spec's hostname; cut to <see cref="MaxHostnameLength"/>.</param>
    /// <param name="resolvConfText">Content of the file the sandbox spec binds at <c>/etc/resolv.conf</c>
    /// (see <see cref="ResolvConfHostPath"/>), or null to leave the guest's untouched.</param>
    /// <param name="kernelModules">Configured modules, each "name p1=v p2=w"; blank entries are ignored.</param>
    /// <param name="sandboxPidns">The sandbox spec's pid namespace had a path.</param>
    public static CreateSandboxRequest Build(
        string sandboxId, string hostname, string? resolvConfText, IEnumerable<string> kernelModules, bool sandboxPidns = false)
    {
        var request = new CreateSandboxRequest
        {
            SandboxId = GuestPaths.RequireContainerId(sandboxId),
            Hostname = hostname.Length > MaxHostnameLength ? hostname[..MaxHostnameLength] : hostname,
            SandboxPidns = sandboxPidns,
        };
        request.Storages.Add(SandboxStorages.KataShared());
        if (resolvConfText is not null)
            request.Dns.AddRange(DnsLines(resolvConfText));
        request.KernelModules.AddRange(kernelModules.Select(KernelModule).OfType<KernelModule>());
        return request;
    }

    /// <summary>
    /// The lines the agent writes to the guest resolv.conf. Go splits on '\n'; the agent trims each line, so blank
    /// lines and a trailing '\r' carry nothing and are dropped here.
    /// </summary>
    public static IReadOnlyList<string> DnsLines(string resolvConfText) =>
        resolvConfText.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

    /// <summary>The host file the OCI spec bind-mounts at <c>/etc/resolv.conf</c> (read it for <c>dns</c>), or null.</summary>
    /// <exception cref="InvalidDataException">malformed JSON or a mounts field of the wrong type; names the file and the field.</exception>
    public static string? ResolvConfHostPath(string configJson, string configPath) =>
        OciMountConversion.BindSource(OciJsonNode.Parse(configJson, configPath), ResolvConfDestination) is { Length: > 0 } source ? source : null;

    private static KernelModule? KernelModule(string configured)
    {
        var words = configured.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var module = new KernelModule { Name = words[0] };
        module.Parameters.AddRange(words.Skip(1));
        return module;
    }
}
