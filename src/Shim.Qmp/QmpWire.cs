using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shim.Qmp;

/// <summary>QMP message shapes (qmp.md §3): command lines out, greeting and events in.</summary>
internal static class QmpWire
{
    /// <summary><c>{"execute": …, "arguments": …, "id": n}</c> and the newline that ends it.</summary>
    public static byte[] Command(string command, JsonObject? arguments, long id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("execute"u8, command);
            if (arguments is not null)
            {
                w.WritePropertyName("arguments"u8);
                arguments.WriteTo(w);
            }
            w.WriteNumber("id"u8, id);
            w.WriteEndObject();
        }
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>An event; <c>data</c> is detached from the parsed line so the subscriber owns it.</summary>
    public static QmpEvent Event(JsonObject message, string name)
    {
        var data = message["data"] as JsonObject;
        if (data is not null) message.Remove("data");
        var ts = DateTimeOffset.UnixEpoch;
        if (message["timestamp"] is JsonObject t)
        {
            var sec = t["seconds"]?.GetValue<long>() ?? 0;
            var usec = t["microseconds"]?.GetValue<long>() ?? 0;
            ts = DateTimeOffset.FromUnixTimeSeconds(sec).AddTicks(usec * 10);
        }
        return new QmpEvent(name, data, ts);
    }

    public static QmpGreeting Greeting(JsonObject? qmp)
    {
        var v = qmp?["version"] as JsonObject;
        var q = v?["qemu"] as JsonObject;
        var version = new QemuVersion(
            q?["major"]?.GetValue<int>() ?? 0,
            q?["minor"]?.GetValue<int>() ?? 0,
            q?["micro"]?.GetValue<int>() ?? 0,
            v?["package"]?.GetValue<string>() ?? "");
        var caps = (qmp?["capabilities"] as JsonArray)?.Select(c => c?.GetValue<string>() ?? "").ToArray() ?? [];
        return new QmpGreeting(version, caps);
    }
}
