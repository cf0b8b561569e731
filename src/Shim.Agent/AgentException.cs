using Shim.Ttrpc;

namespace Shim.Agent;

/// <summary>
/// An agent RPC failed. <see cref="Code"/> is the ttrpc status code and <see cref="AgentMessage"/> the agent's
/// text verbatim (for code 13 the guest's Rust error chain).
/// </summary>
public class AgentException(string rpc, StatusCode code, string agentMessage, Exception? innerException = null)
    : Exception($"agent {rpc} failed: status {(int)code} {code}: {agentMessage}", innerException)
{
    /// <summary>"service/method", e.g. <c>grpc.AgentService/CreateContainer</c>.</summary>
    public string Rpc { get; } = rpc;

    public StatusCode Code { get; } = code;

    public string AgentMessage { get; } = agentMessage;
}

/// <summary>
/// The connection to the agent is gone (VM died, agent exited, socket closed): Kata treats this as a dead
/// agent. Create a new <see cref="AgentClient"/> only if the VM is known to be alive.
/// </summary>
public sealed class AgentConnectionLostException(string rpc, string detail, Exception? innerException = null)
    : AgentException(rpc, StatusCode.Unavailable, detail, innerException);

/// <summary>Dialling the agent failed (socket connect, hybrid-vsock handshake, or the whole wait ran out).</summary>
public sealed class AgentConnectException(string endpoint, string detail, Exception? innerException = null)
    : Exception($"cannot connect to the agent at {endpoint}: {detail}", innerException)
{
    public string Endpoint { get; } = endpoint;
}
