using Shim.Agent;
using Shim.Ttrpc;

namespace Shim.TestAgent;

/// <summary>Options of a test agent instance.</summary>
/// <param name="SocketPath">The hybrid-vsock socket the host dials (what the VMM would expose).</param>
/// <param name="Port">Guest port that accepts <c>CONNECT</c>; others are dropped.</param>
/// <param name="RecordPath">JSON file rewritten after every recorded call; null = memory only.</param>
/// <param name="LinkNotFoundAttempts">The first N <c>UpdateInterface</c> calls of each sandbox fail with code 13 "Link not found", as while a hot-plugged NIC is still appearing.</param>
/// <param name="SharedRoot">Host directory standing in for the kataShared mount point; <c>{sandbox}</c> is replaced by <c>CreateSandbox.sandbox_id</c>. Null = guest paths are host paths.</param>
/// <param name="ServeMany">After <c>DestroySandbox</c>, drop the connection, forget the sandbox and keep serving the next one (the record accumulates).</param>
public sealed record TestAgentOptions(
    string SocketPath, uint Port = AgentServiceNames.DefaultPort, string? RecordPath = null, int LinkNotFoundAttempts = 0,
    string? SharedRoot = null, bool ServeMany = false);

/// <summary>
/// A running test agent: the ttrpc server on <c>&lt;socket&gt;.ttrpc</c> (also dialable directly, as a
/// <see cref="UnixAgentEndpoint"/>) behind a <see cref="HybridVsockMuxer"/> on the socket path. Each sandbox
/// gets a fresh server and service (a fresh "guest"); with <see cref="TestAgentOptions.ServeMany"/> the next
/// one starts as soon as the previous one is destroyed.
/// </summary>
public sealed class TestAgentHost : IAsyncDisposable
{
    private static readonly TimeSpan DestroyDrain = TimeSpan.FromSeconds(2);
    private readonly HybridVsockMuxer muxer;
    private readonly TaskCompletionSource destroyed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock gate = new();
    private readonly List<Task> retiring = [];
    private TtrpcServer server;
    private TestAgentService service;
    private int disposed;

    private TestAgentHost(TestAgentOptions options)
    {
        Options = options;
        Record = new AgentRecord(options.RecordPath);
        TtrpcSocketPath = options.SocketPath + ".ttrpc";
        (server, service) = Serve();
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

    /// <summary>The service of the current sandbox.</summary>
    public TestAgentService Service
    {
        get
        {
            lock (gate)
            {
                return service;
            }
        }
    }

    /// <summary>Completes after a <c>DestroySandbox</c> has been answered and the agent began shutting down (never with ServeMany).</summary>
    public Task Destroyed => destroyed.Task;

    public HybridVsockAgentEndpoint HybridEndpoint => new(Options.SocketPath, Options.Port);

    public static TestAgentHost Start(TestAgentOptions options) => new(options);

    private (TtrpcServer, TestAgentService) Serve()
    {
        var newService = new TestAgentService(Record, OnDestroy, Options.LinkNotFoundAttempts, Options.SharedRoot, replaceAbandonedSandbox: Options.ServeMany);
        var newServer = new TtrpcServer(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
        newService.Register(newServer);
        newServer.Listen(TtrpcSocketPath);
        return (newServer, newService);
    }

    private void OnDestroy()
    {
        if (!Options.ServeMany)
        {
            // Started, not awaited: StopAsync drains the DestroySandbox call itself, so its reply still goes out.
            _ = Task.Run(async () =>
            {
                muxer.StopAccepting();
                await server.StopAsync(DestroyDrain);
                destroyed.TrySetResult();
            });
            return;
        }
        lock (gate)
        {
            if (disposed != 0)
            {
                return;
            }
            // The old server stops accepting and removes its socket file at once, then drains (the reply goes out)
            // and closes its connections, as the agent does; the next sandbox's server takes over the same path.
            retiring.Add(server.StopAsync(DestroyDrain));
            (server, service) = Serve();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        TtrpcServer current;
        TestAgentService currentService;
        Task[] old;
        lock (gate)
        {
            current = server;
            currentService = service;
            old = [.. retiring];
        }
        await muxer.DisposeAsync();
        await current.StopAsync(TimeSpan.Zero);
        await current.DisposeAsync();
        await currentService.DisposeAsync();
        await Task.WhenAll(old);
    }
}
