using System.Text;
using System.Text.Json;

namespace Shim.Sandbox.Guest;

/// <summary>
/// Where a JSON syntax error sits, as a field path (<c>process.args[0]</c>): <see cref="JsonDocument"/> reports only
/// line and byte, which says little about a one-line config.json.
/// </summary>
internal static class JsonSyntaxLocation
{
    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public string? Name { get; set; }
        public int Index { get; set; } = -1;
    }

    /// <summary>The path of the last field or element reached before the error; "" at top level or when the text parses.</summary>
    public static string FieldPath(string json)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1].Name = reader.GetString();
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        ValueStarts(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        ValueStarts(frames);
                        break;
                }
            }
            return "";
        }
        catch (JsonException)
        {
            return Render(frames);
        }
    }

    private static void ValueStarts(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
    }

    private static string Render(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray && frame.Index >= 0) path.Append('[').Append(frame.Index).Append(']');
            else if (!frame.IsArray && frame.Name is not null) path.Append(path.Length == 0 ? "" : ".").Append(frame.Name);
        }
        return path.ToString();
    }
}
