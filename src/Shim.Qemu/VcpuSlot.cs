using System.Text.Json.Nodes;

namespace Shim.Qemu;

/// <summary>A hot-added vCPU: our qdev id, QEMU's CPU type, and the topology props passed back verbatim.</summary>
public sealed record VcpuSlot(string Id, string Type, IReadOnlyDictionary<string, int> Props)
{
    public int? SocketId => Props.TryGetValue("socket-id", out var v) ? v : null;

    public int? CoreId => Props.TryGetValue("core-id", out var v) ? v : null;

    public int? ThreadId => Props.TryGetValue("thread-id", out var v) ? v : null;

    /// <summary>The ACPI slot QEMU reported in <c>ACPI_DEVICE_OST</c> on add (null until the guest answered).</summary>
    public string? AcpiSlot { get; init; }

    internal JsonObject ToDeviceAddArguments()
    {
        var o = new JsonObject { ["driver"] = Type, ["id"] = Id };
        foreach (var (k, v) in Props) o[k] = v;
        return o;
    }

    public override string ToString() => $"{Id}({string.Join(",", Props.Select(p => $"{p.Key}={p.Value}"))})";
}
