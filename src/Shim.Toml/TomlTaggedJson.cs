using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shim.Toml;

/// <summary>Writes a document in toml-test's tagged JSON form (see shared/toml-test/README.md): tables are
/// objects, arrays are arrays, every scalar is {"type": T, "value": "..."}.</summary>
public static class TomlTaggedJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        MaxDepth = 2 * TomlParser.MaxNestingDepth + 16,
        SkipValidation = true,
    };

    public static string Write(TomlTable document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
            WriteTable(writer, document);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNode(Utf8JsonWriter writer, TomlNode node)
    {
        switch (node)
        {
            case TomlTable table:
                WriteTable(writer, table);
                break;
            case TomlArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                    WriteNode(writer, item);
                writer.WriteEndArray();
                break;
            case TomlValue value:
                writer.WriteStartObject();
                writer.WriteString("type"u8, TypeTag(value.Kind));
                writer.WriteString("value"u8, ValueText(value));
                writer.WriteEndObject();
                break;
        }
    }

    private static void WriteTable(Utf8JsonWriter writer, TomlTable table)
    {
        writer.WriteStartObject();
        foreach (var (key, child) in table)
        {
            writer.WritePropertyName(key);
            WriteNode(writer, child);
        }
        writer.WriteEndObject();
    }

    private static string TypeTag(TomlValueKind kind) => kind switch
    {
        TomlValueKind.String => "string",
        TomlValueKind.Integer => "integer",
        TomlValueKind.Float => "float",
        TomlValueKind.Boolean => "bool",
        TomlValueKind.OffsetDateTime => "datetime",
        TomlValueKind.LocalDateTime => "datetime-local",
        TomlValueKind.LocalDate => "date-local",
        _ => "time-local",
    };

    /// <summary>The "value" string of a scalar: RFC 3339 for date-times, round-trippable numbers.</summary>
    public static string ValueText(TomlValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var inv = CultureInfo.InvariantCulture;
        return value.Value switch
        {
            string s => s,
            long l => l.ToString(inv),
            double d when double.IsNaN(d) => "nan",
            double d when double.IsPositiveInfinity(d) => "inf",
            double d when double.IsNegativeInfinity(d) => "-inf",
            double d => d.ToString("R", inv),
            bool b => b ? "true" : "false",
            DateTimeOffset dto => dto.ToString("yyyy-MM-dd'T'HH:mm:ss", inv) + Fraction(value) + Offset(dto.Offset),
            DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss", inv) + Fraction(value),
            DateOnly date => date.ToString("yyyy-MM-dd", inv),
            TimeOnly time => time.ToString("HH:mm:ss", inv) + Fraction(value),
            var other => Convert.ToString(other, inv) ?? "",
        };
    }

    // The fraction as written, truncated (not rounded) to nanoseconds: at least millisecond precision is kept.
    private static string Fraction(TomlValue value) =>
        value.FractionDigits is { Length: > 0 } f ? "." + (f.Length > 9 ? f[..9] : f) : "";

    private static string Offset(TimeSpan offset)
    {
        if (offset == TimeSpan.Zero)
            return "Z";
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return $"{sign}{abs.Hours:D2}:{abs.Minutes:D2}";
    }
}
