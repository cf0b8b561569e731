using System.Text.Json.Nodes;

namespace Shim.Qmp;

/// <summary>An asynchronous QMP event, e.g. <c>DEVICE_DELETED</c>. <see cref="Data"/> is null when QEMU sends none.</summary>
public sealed record QmpEvent(string Name, JsonObject? Data, DateTimeOffset Timestamp)
{
    /// <summary>A string member of <c>data</c>, or null (e.g. <c>data.device</c>, absent for child objects).</summary>
    public string? DataString(string key) =>
        Data is not null && Data.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;
}
