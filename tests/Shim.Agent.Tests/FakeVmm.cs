using System.Net.Sockets;
using System.Text;

namespace Shim.Agent.Tests;

/// <summary>
/// A scripted hybrid-vsock peer for failure cases: reads the CONNECT line, then answers <c>reply</c> (null =
/// never answers) and, after an OK, keeps the connection open without ever speaking ttrpc.
/// </summary>
internal sealed class FakeVmm : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly string? reply;
    private readonly CancellationTokenSource stop = new();
    private readonly List<Socket> accepted = [];
    private readonly Task loop;
    private readonly TaskCompletionSource<string> firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeVmm(string? reply)
    {
        this.reply = reply;
        Directory = RunningAgent.NewDirectory();
        SocketPath = Path.Combine(Directory, "vmm.sock");
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(8);
        loop = Task.Run(AcceptAsync);
    }

    public string Directory { get; }

    public string SocketPath { get; }

    /// <summary>The first line a client sent, without its newline.</summary>
    public Task<string> FirstLine => firstLine.Task;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(stop.Token);
                lock (accepted)
                {
                    accepted.Add(socket);
                }
                var line = new StringBuilder();
                var one = new byte[1];
                while (await socket.ReceiveAsync(one, SocketFlags.None, stop.Token) == 1 && one[0] != '\n')
                {
                    line.Append((char)one[0]);
                }
                firstLine.TrySetResult(line.ToString());
                if (reply is not null)
                {
                    await socket.SendAsync(Encoding.ASCII.GetBytes(reply), SocketFlags.None, stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Dispose();
        await loop;
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }
        stop.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
