using System.Globalization;

namespace Shim.Agent;

/// <summary>Where the agent's ttrpc server is reached (kata-agent-protocol.md §1.1).</summary>
public abstract record AgentEndpoint
{
    /// <summary>
    /// Parses a Kata address string: <c>vsock://&lt;cid&gt;:&lt;port&gt;</c>, <c>hvsock://&lt;unix path&gt;:&lt;port&gt;</c>
    /// or <c>unix://&lt;path&gt;</c>.
    /// </summary>
    public static AgentEndpoint Parse(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        if (address.StartsWith("vsock://", StringComparison.Ordinal))
        {
            var (host, port) = SplitPort(address, address["vsock://".Length..]);
            return uint.TryParse(host, NumberStyles.None, CultureInfo.InvariantCulture, out var cid)
                ? new VsockAgentEndpoint(cid, port)
                : throw new FormatException($"'{address}': the CID '{host}' is not a number; use vsock://<cid>:<port>");
        }
        if (address.StartsWith("hvsock://", StringComparison.Ordinal))
        {
            var (path, port) = SplitPort(address, address["hvsock://".Length..]);
            return new HybridVsockAgentEndpoint(path, port);
        }
        if (address.StartsWith("unix://", StringComparison.Ordinal))
        {
            return new UnixAgentEndpoint(address["unix://".Length..]);
        }
        throw new FormatException($"'{address}' is not an agent address; use vsock://<cid>:<port>, hvsock://<path>:<port> or unix://<path>");
    }

    private static (string Host, uint Port) SplitPort(string address, string rest)
    {
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !uint.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new FormatException($"'{address}' has no ':<port>' suffix; e.g. ...:{AgentServiceNames.DefaultPort}");
        }
        return (rest[..colon], port);
    }
}

/// <summary>Plain <c>AF_VSOCK</c> (QEMU with vhost-vsock): connect to (guest CID, port).</summary>
public sealed record VsockAgentEndpoint(uint Cid, uint Port = AgentServiceNames.DefaultPort) : AgentEndpoint
{
    public override string ToString() => $"vsock://{Cid}:{Port}";
}

/// <summary>Hybrid vsock (Cloud Hypervisor, Firecracker): the VMM's unix socket plus a <c>CONNECT &lt;port&gt;</c> line.</summary>
public sealed record HybridVsockAgentEndpoint(string SocketPath, uint Port = AgentServiceNames.DefaultPort) : AgentEndpoint
{
    public override string ToString() => $"hvsock://{SocketPath}:{Port}";
}

/// <summary>A unix socket that speaks ttrpc directly (test agents, proxies).</summary>
public sealed record UnixAgentEndpoint(string SocketPath) : AgentEndpoint
{
    public override string ToString() => $"unix://{SocketPath}";
}
