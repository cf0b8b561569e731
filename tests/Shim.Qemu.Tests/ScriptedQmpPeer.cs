using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Shim.Qemu.Tests;

/// <summary>A command QEMU-stand-in received, kept so tests can check the exact arguments.</summary>
public sealed record ReceivedCommand(string Name, JsonObject? Arguments, JsonNode? Id);

/// <summary>
/// A unix-socket QMP server for what real QEMU cannot do without a guest (guest busy, DEVICE_UNPLUG_GUEST_ERROR,
/// vCPU _OST sequences). The script maps each command to the lines to send; replies get the command's id copied.
/// </summary>
public sealed class ScriptedQmpPeer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<ReceivedCommand, IEnumerable<JsonObject>> _script;
    private readonly List<ReceivedCommand> _received = [];
    private readonly Lock _lock = new();
    private readonly Task _serve;
    private readonly IEnumerable<JsonObject> _beforeGreeting;
    private Socket? _client;

    public ScriptedQmpPeer(TempDir dir, Func<ReceivedCommand, IEnumerable<JsonObject>> script, IEnumerable<JsonObject>? beforeGreeting = null)
    {
        SocketPath = dir.File("peer.sock");
        _script = script;
        _beforeGreeting = beforeGreeting ?? [];
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(1);
        _serve = Task.Run(ServeAsync);
    }

    public string SocketPath { get; }

    /// <summary>Commands received after the handshake.</summary>
    public IReadOnlyList<ReceivedCommand> Received
    {
        get { lock (_lock) return [.. _received]; }
    }

    public static JsonObject Return(JsonNode? value = null) => new() { ["return"] = value ?? new JsonObject() };

    public static JsonObject Error(string cls, string desc) => new() { ["error"] = new JsonObject { ["class"] = cls, ["desc"] = desc } };

    public static JsonObject Event(string name, JsonObject? data = null)
    {
        var e = new JsonObject { ["timestamp"] = new JsonObject { ["seconds"] = 1795336916, ["microseconds"] = 461797 }, ["event"] = name };
        if (data is not null) e["data"] = data;
        return e;
    }

    /// <summary>Sends a line at any moment (e.g. a late event).</summary>
    public async Task SendAsync(JsonObject message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
        await _client!.SendAsync(bytes, SocketFlags.None);
    }

    private async Task ServeAsync()
    {
        try
        {
            _client = await _listener.AcceptAsync();
            foreach (var e in _beforeGreeting) await SendAsync(e);
            await SendAsync(JsonNode.Parse("""{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "scripted"}, "capabilities": ["oob"]}}""")!.AsObject());
            using var reader = new StreamReader(new NetworkStream(_client, ownsSocket: false), Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                var msg = JsonNode.Parse(line)!.AsObject();
                var cmd = new ReceivedCommand(msg["execute"]!.GetValue<string>(), msg["arguments"]?.DeepClone().AsObject(), msg["id"]?.DeepClone());
                var replies = cmd.Name == "qmp_capabilities" ? [Return()] : Record(cmd);
                foreach (var r in replies)
                {
                    if ((r.ContainsKey("return") || r.ContainsKey("error")) && !r.ContainsKey("id")) r["id"] = cmd.Id?.DeepClone();
                    await SendAsync(r);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // Client went away or peer disposed.
        }
    }

    private IEnumerable<JsonObject> Record(ReceivedCommand cmd)
    {
        lock (_lock) _received.Add(cmd);
        return [.. _script(cmd)];
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _listener.Dispose();
        await _serve;
    }
}
