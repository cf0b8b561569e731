using System.Text.Json;

namespace Shim.Sandbox.Guest;

/// <summary>
/// A read cursor over OCI spec JSON that knows where it is (<c>process.user.uid</c>) and in which document
/// (<c>/run/.../config.json</c>), so a wrong value is reported with both. Absent and <c>null</c> fields read as
/// "not set" (the OCI spec makes almost everything optional); a present field of the wrong type is an error.
/// </summary>
internal readonly record struct OciJsonNode(JsonElement Element, string Path, string Source)
{
    /// <summary>Parses <paramref name="json"/>; a syntax error names <paramref name="source"/> and the JSON path reached.</summary>
    public static OciJsonNode Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = new OciJsonNode(document.RootElement.Clone(), "", source);
            if (root.Element.ValueKind != JsonValueKind.Object)
                throw root.Invalid("a JSON object");
            return root;
        }
        catch (JsonException ex)
        {
            var field = JsonSyntaxLocation.FieldPath(json);
            var at = field.Length == 0 ? "" : $" near field '{field}'";
            throw new InvalidDataException(
                $"{source}: not valid JSON{at} (line {ex.LineNumber + 1}): {ex.Message}; containerd writes it from the container's OCI spec, check what produced that spec",
                ex);
        }
    }

    public OciJsonNode? Field(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object || !Element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return new OciJsonNode(value, Path.Length == 0 ? name : $"{Path}.{name}", Source);
    }

    public OciJsonNode? Object(string name) => Field(name) is { } f ? f.RequireKind(JsonValueKind.Object, "an object") : null;

    public string? String(string name) => Field(name)?.AsString();

    public bool Bool(string name) => Field(name) is { } f && f.AsBool();

    public uint UInt32(string name) => Field(name)?.AsUInt32() ?? 0;

    public long Int64(string name) => Field(name)?.AsInt64() ?? 0;

    public ulong UInt64(string name) => Field(name)?.AsUInt64() ?? 0;

    /// <summary>The elements of an array field; empty when the field is absent.</summary>
    public IEnumerable<OciJsonNode> Array(string name)
    {
        if (Field(name) is not { } f) return [];
        f.RequireKind(JsonValueKind.Array, "an array");
        var node = f;
        return f.Element.EnumerateArray().Select((e, i) => new OciJsonNode(e, $"{node.Path}[{i}]", node.Source)).ToList();
    }

    public IReadOnlyList<string> Strings(string name) => Array(name).Select(e => e.AsString()).ToList();

    /// <summary>An object of string values (annotations, sysctl); empty when absent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> StringMap(string name)
    {
        if (Object(name) is not { } map) return [];
        return map.Element.EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name, new OciJsonNode(p.Value, $"{map.Path}.{p.Name}", map.Source).AsString()))
            .ToList();
    }

    public string AsString() => RequireKind(JsonValueKind.String, "a string").Element.GetString()!;

    public bool AsBool() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Invalid("true or false"),
    };

    public uint AsUInt32() => Element.ValueKind == JsonValueKind.Number && Element.TryGetUInt32(out var v) ? v : throw Invalid("an integer 0..4294967295");

    public long AsInt64() => Element.ValueKind == JsonValueKind.Number && Element.TryGetInt64(out var v) ? v : throw Invalid("a signed 64-bit integer");

    public ulong AsUInt64() => Element.ValueKind == JsonValueKind.Number && Element.TryGetUInt64(out var v) ? v : throw Invalid("an unsigned 64-bit integer");

    public InvalidDataException Invalid(string expected) => new(
        $"{Source}: field '{(Path.Length == 0 ? "(document)" : Path)}' must be {expected}, found {Describe(Element)}; " +
        "fix the container's OCI spec (it is what containerd wrote there)");

    private OciJsonNode RequireKind(JsonValueKind kind, string expected) => Element.ValueKind == kind ? this : throw Invalid(expected);

    private static string Describe(JsonElement e)
    {
        var raw = e.GetRawText();
        if (raw.Length > 60) raw = raw[..60] + "...";
        return $"{e.ValueKind.ToString().ToLowerInvariant()} {raw}";
    }
}
