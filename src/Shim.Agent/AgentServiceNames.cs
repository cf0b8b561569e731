namespace Shim.Agent;

/// <summary>ttrpc service and method strings of the Kata agent (kata-agent-protocol.md §1.4).</summary>
public static class AgentServiceNames
{
    public const string Health = "grpc.Health";
    public const string Check = "Check";
    public const string Version = "Version";

    public const string Agent = "grpc.AgentService";
    public const string CreateSandbox = "CreateSandbox";
    public const string DestroySandbox = "DestroySandbox";
    public const string CreateContainer = "CreateContainer";
    public const string StartContainer = "StartContainer";
    public const string RemoveContainer = "RemoveContainer";
    public const string UpdateContainer = "UpdateContainer";
    public const string StatsContainer = "StatsContainer";
    public const string ExecProcess = "ExecProcess";
    public const string SignalProcess = "SignalProcess";
    public const string WaitProcess = "WaitProcess";
    public const string WriteStdin = "WriteStdin";
    public const string ReadStdout = "ReadStdout";
    public const string ReadStderr = "ReadStderr";
    public const string CloseStdin = "CloseStdin";
    public const string TtyWinResize = "TtyWinResize";
    public const string UpdateInterface = "UpdateInterface";
    public const string UpdateRoutes = "UpdateRoutes";
    public const string AddARPNeighbors = "AddARPNeighbors";
    public const string OnlineCPUMem = "OnlineCPUMem";
    public const string GetGuestDetails = "GetGuestDetails";
    public const string UpdateEphemeralMounts = "UpdateEphemeralMounts";
    public const string RemoveStaleVirtiofsShareMounts = "RemoveStaleVirtiofsShareMounts";
    public const string GetOOMEvent = "GetOOMEvent";
    public const string ListInterfaces = "ListInterfaces";
    public const string ListRoutes = "ListRoutes";

    /// <summary>Guest vsock port of the agent's ttrpc server (Go <c>vSockPort</c>).</summary>
    public const uint DefaultPort = 1024;
}
