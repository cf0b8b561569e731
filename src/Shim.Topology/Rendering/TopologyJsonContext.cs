using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shim.Topology;

/// <summary>Source-generated JSON (no reflection): camelCase, enums as strings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PortAllocationState))]
[JsonSerializable(typeof(TopologyPlan))]
[JsonSerializable(typeof(PlanReport))]
[JsonSerializable(typeof(PlanOutcome))]
internal sealed partial class TopologyJsonContext : JsonSerializerContext
{
    /// <summary>Readable output for operators: quotes and the em dash stay as they are instead of \u0022/\u2014.</summary>
    public static TopologyJsonContext Readable => s_readable ??= new(new JsonSerializerOptions(Default.GeneratedSerializerOptions!)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static TopologyJsonContext? s_readable;
}
