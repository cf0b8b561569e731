using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Shim.Toml.Tests;

/// <summary>Generated inputs: values round-trip, and no input makes the parser fail other than with TomlException.</summary>
public class PropertyTests
{
    [Property(MaxTest = 500)]
    public bool Every_int64_round_trips(long n) =>
        (long)((TomlValue)TomlParser.Parse($"a = {n.ToString(CultureInfo.InvariantCulture)}")["a"]).Value == n;

    [Property(MaxTest = 300)]
    public bool Non_negative_int64_round_trip_in_hex_octal_and_binary(long n)
    {
        var v = n == long.MinValue ? long.MaxValue : Math.Abs(n);
        var doc = TomlParser.Parse($"h = 0x{v:x}\no = 0o{Convert.ToString(v, 8)}\nb = 0b{Convert.ToString(v, 2)}");
        return doc.Values.All(node => (long)((TomlValue)node).Value == v);
    }

    [Property(MaxTest = 500)]
    public bool Finite_doubles_round_trip_through_the_tagged_text(double d)
    {
        if (!double.IsFinite(d))
            return true;
        var text = TomlTaggedJson.ValueText(new TomlValue(TomlValueKind.Float, d, default));
        var toml = text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
        var parsed = (double)((TomlValue)TomlParser.Parse("a = " + toml)["a"]).Value;
        return parsed.Equals(d);
    }

    [Property(MaxTest = 500)]
    public bool Escaped_strings_round_trip(NonNull<string> s)
    {
        var value = ToScalarValues(s.Get);
        var toml = $"\"{Escape(value)}\" = \"{Escape(value)}\"";
        var doc = TomlParser.Parse(toml);
        return doc.Count == 1 && doc.Keys.Single() == value && (string)((TomlValue)doc[value]).Value == value;
    }

    [Property(MaxTest = 1000)]
    public void Random_bytes_parse_or_fail_with_a_toml_exception(byte[] bytes) => ParseOrTomlException(bytes);

    [Property(MaxTest = 2000)]
    public void Random_token_soup_parses_or_fails_with_a_toml_exception(int[] picks)
    {
        string[] tokens =
        [
            "a", "b.c", "\"q\"", "'l'", " = ", "=", "1", "-0x1", "1.5e3", "inf", "nan", "true", "1979-05-27", "T07:32:00",
            "Z", "+01:00", "07:32:00.5", "[", "]", "[[", "]]", "{", "}", ",", ".", "\n", "\r\n", "\r", "#c", "\"\"\"",
            "'''", "\\", "\\u00e9", "\\UFFFFFFFF", "\t", " ", "\0", "é", "\"", "'", "_", "0", "9223372036854775808",
        ];
        var sb = new StringBuilder();
        foreach (var p in picks ?? [])
            sb.Append(tokens[(int)((uint)p % (uint)tokens.Length)]);
        ParseOrTomlException(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void ParseOrTomlException(byte[]? bytes)
    {
        try
        {
            var doc = TomlParser.Parse(bytes ?? [], "fuzz.toml");
            TomlTaggedJson.Write(doc).ShouldNotBeNull();
        }
        catch (TomlException e)
        {
            e.Position.Line.ShouldBeGreaterThan(0);
            e.Position.Column.ShouldBeGreaterThan(0);
        }
    }

    // Generated strings may hold unpaired surrogates, which no TOML document can contain: EnumerateRunes
    // replaces them with U+FFFD.
    private static string ToScalarValues(string s)
    {
        var sb = new StringBuilder();
        foreach (var r in s.EnumerateRunes())
            sb.Append(r.ToString());
        return sb.ToString();
    }

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var r in s.EnumerateRunes())
        {
            if (r.Value == '"' || r.Value == '\\')
                sb.Append('\\').Append((char)r.Value);
            else if (r.Value < 0x20 || r.Value == 0x7F)
                sb.Append(CultureInfo.InvariantCulture, $"\\u{r.Value:X4}");
            else if (r.Value > 0xFFFF)
                sb.Append(CultureInfo.InvariantCulture, $"\\U{r.Value:X8}");
            else
                sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
