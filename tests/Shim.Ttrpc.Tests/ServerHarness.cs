using Google.Protobuf;

namespace Shim.Ttrpc.Tests;

/// <summary>A server on a fresh socket path, stopped and cleaned up on dispose.</summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly TestSocketPath socketPath = new();

    public ServerHarness(TtrpcServerOptions? options = null)
    {
        Server = new TtrpcServer(options ?? new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
    }

    public TtrpcServer Server { get; }

    public string Path => socketPath.Path;

    public ServerHarness Handle<TRequest, TResponse>(string service, string method, MessageParser<TRequest> parser,
        Func<TRequest, TtrpcCallContext, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage
    {
        Server.Register(service, method, parser, handler);
        return this;
    }

    public ServerHarness Start()
    {
        Server.Listen(Path);
        return this;
    }

    public async Task<TtrpcClient> ConnectClientAsync()
    {
        using var cts = new CancellationTokenSource(RawPeer.Patience);
        return await TtrpcClient.ConnectAsync(Path, cts.Token);
    }

    public Task<RawPeer> ConnectRawAsync() => RawPeer.ConnectAsync(Path);

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(TimeSpan.FromSeconds(5)).WaitAsync(RawPeer.Patience);
        await Server.DisposeAsync();
        socketPath.Dispose();
    }
}
