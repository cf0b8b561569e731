using Shim.Agent;
using Shim.TestAgent;

namespace Shim.Agent.Tests;

/// <summary>An in-process test agent behind its hybrid-vsock socket, plus a client connected through the handshake.</summary>
internal sealed class RunningAgent : IAsyncDisposable
{
    private RunningAgent(string directory, TestAgentHost host, AgentClient client)
    {
        Directory = directory;
        Host = host;
        Client = client;
    }

    public string Directory { get; }

    public TestAgentHost Host { get; }

    public AgentClient Client { get; }

    public string RecordPath => Path.Combine(Directory, "record.json");

    public static async Task<RunningAgent> StartAsync(Func<TestAgentOptions, TestAgentOptions>? configure = null)
    {
        var directory = NewDirectory();
        var options = new TestAgentOptions(Path.Combine(directory, "kata.hvsock"), RecordPath: Path.Combine(directory, "record.json"));
        var host = TestAgentHost.Start(configure?.Invoke(options) ?? options);
        var client = await AgentClient.ConnectAsync(host.HybridEndpoint, TestDeadline.Token);
        return new RunningAgent(directory, host, client);
    }

    /// <summary>Short unique directory: unix socket paths are limited to 107 bytes.</summary>
    public static string NewDirectory() => System.IO.Directory.CreateTempSubdirectory("agent-").FullName;

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Host.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
