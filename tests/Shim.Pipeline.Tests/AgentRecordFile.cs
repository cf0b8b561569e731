using System.Text.Json.Nodes;

namespace Shim.Pipeline.Tests;

/// <summary>
/// The test agent's <c>--record</c> file: what the shim asked of the guest, in protobuf JSON names
/// (<c>interfaces[].devicePath</c>, <c>onlineCpuMem[].nbCpus</c>, <c>createSandbox[].sandboxId</c>).
/// </summary>
public sealed record AgentRecordFile(JsonObject Root)
{
    public JsonArray CreateSandbox => Array("createSandbox");

    public JsonArray CreateContainer => Array("createContainer");

    public JsonArray Interfaces => Array("interfaces");

    public JsonArray Routes => Array("routes");

    public JsonArray OnlineCpuMem => Array("onlineCpuMem");

    public JsonArray UpdateContainer => Array("updateContainer");

    public int DestroySandbox => Root["destroySandbox"]?.GetValue<int>() ?? 0;

    /// <summary>The record as it is now; empty when the agent has recorded nothing yet. The agent writes it by rename,
    /// so a reader never sees half a file.</summary>
    public static AgentRecordFile Read(string path) =>
        new(File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? [] : []);

    /// <summary>The CreateContainer request for <paramref name="containerId"/>, or null.</summary>
    public JsonObject? Container(string containerId) =>
        CreateContainer.OfType<JsonObject>().LastOrDefault(c => c["containerId"]?.GetValue<string>() == containerId);

    public override string ToString() => Root.ToJsonString();

    private JsonArray Array(string name) => Root[name] as JsonArray ?? [];
}
