using System.Text.Json.Nodes;

namespace Shim.Guest.Tests;

/// <summary>Spec texts for the tests: containerd's default spec, and edits of it.</summary>
internal static class OciSpecs
{
    public const string ConfigPath = "/run/containerd/io.containerd.runtime.v2.task/default/c1/config.json";

    public static string CtrDefault => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Specs", "ctr-oci-spec.json"));

    /// <summary>The default spec after <paramref name="edit"/>.</summary>
    public static string Edited(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(CtrDefault)!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    public static JsonObject Bind(string source, string destination, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = "bind",
        ["source"] = source,
        ["options"] = new JsonArray(options.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray()),
    };

    /// <summary>A deterministic share-name source: 0000000000000001, 0000000000000002, ...</summary>
    public static Func<string> CountingHex()
    {
        var n = 0;
        return () => (++n).ToString("x16");
    }
}
