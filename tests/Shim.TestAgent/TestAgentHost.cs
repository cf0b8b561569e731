using Shim.Agent;
using Shim.Ttrpc;

namespace Shim.TestAgent;

/// <summary>Options of a test agent instance.</summary>
/// <param name="SocketPath">The hybrid-vsock socket the host dials (what the VMM would expose).</param>
/// <param name="Port">Guest port that accepts <c>CONNECT</c>; others are dropped.</param>
/// <param name="RecordPath">JSON file rewritten after every recorded call; null = memory only.</param>
/// <param name="LinkNotFoundAttempts">The first N <c>UpdateInterface</c> calls fail with code 13 "Link not found", as while a hot-plugged NIC is still appearing.</param>
public sealed record TestAgentOptions(string SocketPath, uint Port = AgentServiceNames.DefaultPort, string? RecordPath = null, int LinkNotFoundAttempts = 0);

/// <summary>
/// A running test agent: the ttrpc server on <c>&lt;socket&gt;.ttrpc</c> (also dialable directly, as a
/// <see cref="UnixAgentEndpoint"/>) behind a <see cref="HybridVsockMuxer"/> on the socket path.
/// </summary>
public sealed class TestAgentHost : IAsyncDisposable
{
    private readonly TtrpcServer server;
    private readonly HybridVsockMuxer muxer;
    private readonly TestAgentService service;
    private readonly TaskCompletionSource destroyed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;

    private TestAgentHost(TestAgentOptions options)
    {
        Options = options;
        Record = new AgentRecord(options.RecordPath);
        TtrpcSocketPath = options.SocketPath + ".ttrpc";
        service = new TestAgentService(Record, OnDestroy, options.LinkNotFoundAttempts);
        server = new TtrpcServer(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
        service.Register(server);
        server.Listen(TtrpcSocketPath);
        try
        {
            muxer = new HybridVsockMuxer(options.SocketPath, options.Port, TtrpcSocketPath);
        }
        catch
        {
            _ = server.StopAsync(TimeSpan.Zero);
            throw;
        }
    }

    public TestAgentOptions Options { get; }

    public AgentRecord Record { get; }

    public string TtrpcSocketPath { get; }

    public HybridVsockMuxer Muxer => muxer;

    /// <summary>Completes after a <c>DestroySandbox</c> has been answered and the agent began shutting down.</summary>
    public Task Destroyed => destroyed.Task;

    public HybridVsockAgentEndpoint HybridEndpoint => new(Options.SocketPath, Options.Port);

    public static TestAgentHost Start(TestAgentOptions options) => new(options);

    private void OnDestroy()
    {
        // Started, not awaited: StopAsync drains the DestroySandbox call itself, so its reply still goes out.
        _ = Task.Run(async () =>
        {
            muxer.StopAccepting();
            await server.StopAsync(TimeSpan.FromSeconds(2));
            destroyed.TrySetResult();
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await muxer.DisposeAsync();
        await server.StopAsync(TimeSpan.Zero);
        await server.DisposeAsync();
        await service.DisposeAsync();
    }
}
