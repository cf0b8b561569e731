using System.Text.Json;
using Shim.Toml.Tests.Conformance;
using static Shim.Toml.Tests.TomlAssert;

namespace Shim.Toml.Tests;

/// <summary>The toml-test tagged JSON writer (what `kataplug toml decode` prints).</summary>
public class TaggedJsonTests
{
    private static JsonElement Tagged(string toml, string key = "a")
    {
        var json = TomlTaggedJson.Write(Doc(toml));
        return JsonDocument.Parse(json).RootElement.GetProperty(key);
    }

    private static (string Type, string Value) Scalar(string toml)
    {
        var e = Tagged(toml);
        return (e.GetProperty("type").GetString()!, e.GetProperty("value").GetString()!);
    }

    [Theory]
    [InlineData("a = 'x'", "string", "x")]
    [InlineData("a = 0xff", "integer", "255")]
    [InlineData("a = -9223372036854775808", "integer", "-9223372036854775808")]
    [InlineData("a = true", "bool", "true")]
    [InlineData("a = 0.1", "float", "0.1")]
    [InlineData("a = -0.0", "float", "-0")]
    [InlineData("a = 1e300", "float", "1E+300")]
    [InlineData("a = inf", "float", "inf")]
    [InlineData("a = -inf", "float", "-inf")]
    [InlineData("a = -nan", "float", "nan")]
    [InlineData("a = 1979-05-27T07:32:00Z", "datetime", "1979-05-27T07:32:00Z")]
    [InlineData("a = 1979-05-27 07:32:00.5-07:00", "datetime", "1979-05-27T07:32:00.5-07:00")]
    [InlineData("a = 1979-05-27T07:32:00.123456789123+05:30", "datetime", "1979-05-27T07:32:00.123456789+05:30")]
    [InlineData("a = 1979-05-27T07:32:00+23:00", "datetime", "1979-05-26T08:32:00Z")]
    [InlineData("a = 1979-05-27T07:32:00.999", "datetime-local", "1979-05-27T07:32:00.999")]
    [InlineData("a = 1979-05-27", "date-local", "1979-05-27")]
    [InlineData("a = 07:32:00.0001", "time-local", "07:32:00.0001")]
    public void Scalars_are_tagged_with_type_and_text(string toml, string type, string value) =>
        Scalar(toml).ShouldBe((type, value));

    [Theory]
    [InlineData(0.1)]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-1.0 / 3.0)]
    [InlineData(123456789.123456789)]
    public void Floats_round_trip(double value)
    {
        var text = TomlTaggedJson.ValueText(new TomlValue(TomlValueKind.Float, value, default));
        ((double)Value("a = " + text.Replace("E", "e", StringComparison.Ordinal))).ShouldBe(value);
    }

    [Fact]
    public void Strings_are_json_escaped()
    {
        var json = TomlTaggedJson.Write(Doc("\"k\\\"ey\\u0001\" = \"quote \\\" back \\\\ nl \\n nul \\u0000 é 😀 </script>\""));
        var root = JsonDocument.Parse(json).RootElement;
        root.GetProperty("k\"ey\u0001").GetProperty("value").GetString().ShouldBe("quote \" back \\ nl \n nul \0 é 😀 </script>");
    }

    [Fact]
    public void Tables_and_arrays_keep_shape_and_order()
    {
        var json = TomlTaggedJson.Write(Doc("z = 1\na = []\n[t]\n[[aot]]\nx = {}\n[[aot]]"));
        json.ShouldBe("""{"z":{"type":"integer","value":"1"},"a":[],"t":{},"aot":[{"x":{}},{}]}""");
    }

    [Fact]
    public void Decode_path_matches_an_expected_document_semantically()
    {
        const string toml = """
            title = "TOML Example"
            [owner]
            dob = 1979-05-27T07:32:00-08:00
            [database]
            ports = [ 8000, 8001, 8002 ]
            temp_targets = { cpu = 79.5, case = 72.0 }
            """;
        const string expected = """
            {"title": {"type": "string", "value": "TOML Example"},
             "owner": {"dob": {"type": "datetime", "value": "1979-05-27T15:32:00.000Z"}},
             "database": {"ports": [{"type": "integer", "value": "8000"}, {"type": "integer", "value": "8001"}, {"type": "integer", "value": "8002"}],
                          "temp_targets": {"cpu": {"type": "float", "value": "79.5"}, "case": {"type": "float", "value": "72"}}}}
            """;
        var actual = TomlTaggedJson.Write(TomlParser.Parse(System.Text.Encoding.UTF8.GetBytes(toml), "<stdin>"));
        TaggedJsonComparer.FirstDifference(expected, actual).ShouldBeNull();
        TaggedJsonComparer.FirstDifference(expected.Replace("8002", "8003", StringComparison.Ordinal), actual)
            .ShouldBe("$.database.ports[2]: expected integer '8003', got '8002'");
    }

    [Fact]
    public void Decode_path_reports_invalid_documents_with_position()
    {
        var error = Should.Throw<TomlException>(() => TomlParser.Parse("[a]\nx = 1\n[a]"u8, "<stdin>"));
        error.Message.ShouldBe("<stdin>:3:1: table [a] defined twice (first at 1:1)");
    }
}
