using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shim.Toml.Tests.Conformance;

/// <summary>Semantic comparison of toml-test tagged JSON: integers and floats by value (nan, ±inf, 0.0 == -0.0),
/// date-times as instants at millisecond precision, everything else exactly. Returns the first difference.</summary>
public static partial class TaggedJsonComparer
{
    public static string? FirstDifference(string expectedJson, string actualJson)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(actualJson);
        return Compare(expected.RootElement, actual.RootElement, "$");
    }

    private static string? Compare(JsonElement expected, JsonElement actual, string path)
    {
        if (IsTagged(expected))
        {
            if (!IsTagged(actual))
                return $"{path}: expected a tagged scalar {expected}, got {actual}";
            return CompareScalar(expected, actual, path);
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (actual.ValueKind != JsonValueKind.Object)
                    return $"{path}: expected a table, got {actual}";
                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualKeys = actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                if (!expectedKeys.SequenceEqual(actualKeys))
                    return $"{path}: expected keys [{string.Join(", ", expectedKeys)}], got [{string.Join(", ", actualKeys)}]";
                foreach (var key in expectedKeys)
                {
                    var diff = Compare(expected.GetProperty(key), actual.GetProperty(key), $"{path}.{key}");
                    if (diff is not null)
                        return diff;
                }
                return null;
            case JsonValueKind.Array:
                if (actual.ValueKind != JsonValueKind.Array)
                    return $"{path}: expected an array, got {actual}";
                if (expected.GetArrayLength() != actual.GetArrayLength())
                    return $"{path}: expected {expected.GetArrayLength()} elements, got {actual.GetArrayLength()}";
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    var diff = Compare(expected[i], actual[i], $"{path}[{i}]");
                    if (diff is not null)
                        return diff;
                }
                return null;
            default:
                return $"{path}: unexpected JSON {expected} in the expected document";
        }
    }

    private static bool IsTagged(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.EnumerateObject().Count() == 2 &&
        e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String &&
        e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String;

    private static string? CompareScalar(JsonElement expected, JsonElement actual, string path)
    {
        var type = expected.GetProperty("type").GetString()!;
        var actualType = actual.GetProperty("type").GetString()!;
        if (type != actualType)
            return $"{path}: expected type {type}, got {actualType}";
        var e = expected.GetProperty("value").GetString()!;
        var a = actual.GetProperty("value").GetString()!;
        var same = type switch
        {
            "integer" => long.Parse(e, CultureInfo.InvariantCulture) == long.Parse(a, CultureInfo.InvariantCulture),
            "float" => SameFloat(ParseFloat(e), ParseFloat(a)),
            "datetime" => Instant(e) == Instant(a),
            "datetime-local" => LocalTicks(e) == LocalTicks(a),
            "date-local" => DateOnly.ParseExact(e, "yyyy-MM-dd", CultureInfo.InvariantCulture) == DateOnly.ParseExact(a, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            "time-local" => TimeTicks(e) == TimeTicks(a),
            "string" or "bool" => e == a,
            _ => false,
        };
        return same ? null : $"{path}: expected {type} '{e}', got '{a}'";
    }

    private static bool SameFloat(double x, double y) => double.IsNaN(x) ? double.IsNaN(y) : x == y;

    private static double ParseFloat(string s) => s switch
    {
        "nan" or "+nan" or "-nan" => double.NaN,
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(s.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    // Keep at most 3 fraction digits (truncate), so both sides compare at millisecond precision.
    private static string Millis(string s) => FractionRegex().Replace(s, m => "." + (m.Groups[1].Value + "00")[..3]);

    private static long Instant(string s) =>
        DateTimeOffset.Parse(Millis(s).Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).UtcTicks;

    private static long LocalTicks(string s) =>
        DateTime.Parse(Millis(s).Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).Ticks;

    private static long TimeTicks(string s) => TimeOnly.Parse(Millis(s), CultureInfo.InvariantCulture).Ticks;

    [GeneratedRegex(@"\.(\d+)")]
    private static partial Regex FractionRegex();
}
