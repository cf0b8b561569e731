using static Shim.Toml.Tests.TomlAssert;

namespace Shim.Toml.Tests;

public class ValueParsingTests
{
    [Theory]
    [InlineData("a = 0", 0L)]
    [InlineData("a = +17", 17L)]
    [InlineData("a = -17", -17L)]
    [InlineData("a = 1_000_000", 1_000_000L)]
    [InlineData("a = 9223372036854775807", long.MaxValue)]
    [InlineData("a = -9223372036854775808", long.MinValue)]
    [InlineData("a = 0xDEAD_beef", 0xDEADBEEFL)]
    [InlineData("a = 0x7FFFFFFFFFFFFFFF", long.MaxValue)]
    [InlineData("a = 0o755", 493L)]
    [InlineData("a = 0b1101_0110", 214L)]
    [InlineData("a = 0x0001", 1L)]
    public void Integers_are_int64(string toml, long expected)
    {
        var value = (TomlValue)Doc(toml)["a"];
        value.Kind.ShouldBe(TomlValueKind.Integer);
        value.Value.ShouldBe(expected);
    }

    [Theory]
    [InlineData("a = 9223372036854775808", "integer 9223372036854775808 is out of range for a 64-bit integer")]
    [InlineData("a = -9223372036854775809", "integer -9223372036854775809 is out of range for a 64-bit integer")]
    [InlineData("a = 0x8000000000000000", "integer 0x8000000000000000 is out of range for a 64-bit integer")]
    [InlineData("a = 0b1_0000000000000000000000000000000000000000000000000000000000000000", "out of range")]
    [InlineData("a = 01", "leading zeros are not allowed")]
    [InlineData("a = 1__0", "invalid number 1__0")]
    [InlineData("a = _1", "found '_'")]
    [InlineData("a = 1_", "invalid number 1_")]
    [InlineData("a = -0x1", "cannot have a sign")]
    [InlineData("a = 0X1", "invalid number 0X1")]
    [InlineData("a = 0o8", "invalid octal integer 0o8")]
    [InlineData("a = nope", "strings need quotes")]
    public void Bad_integers_are_rejected_with_the_reason(string toml, string problem)
    {
        var error = Rejects(toml);
        error.Problem.ShouldContain(problem);
        error.Position.ShouldBe(new TomlPosition(1, 5));
    }

    [Theory]
    [InlineData("a = 3.1415", 3.1415)]
    [InlineData("a = -0.01", -0.01)]
    [InlineData("a = 5e+22", 5e22)]
    [InlineData("a = 1E06", 1e6)]
    [InlineData("a = -2E-2", -0.02)]
    [InlineData("a = 6.626e-34", 6.626e-34)]
    [InlineData("a = 224_617.445_991", 224617.445991)]
    [InlineData("a = 1e1_0", 1e10)]
    [InlineData("a = inf", double.PositiveInfinity)]
    [InlineData("a = +inf", double.PositiveInfinity)]
    [InlineData("a = -inf", double.NegativeInfinity)]
    [InlineData("a = 0.1", 0.1)]
    [InlineData("a = 1.7976931348623157e308", double.MaxValue)]
    [InlineData("a = 4.9e-324", double.Epsilon)]
    public void Floats_are_ieee_doubles(string toml, double expected)
    {
        var value = (TomlValue)Doc(toml)["a"];
        value.Kind.ShouldBe(TomlValueKind.Float);
        value.Value.ShouldBe(expected);
    }

    [Theory]
    [InlineData("a = nan")]
    [InlineData("a = +nan")]
    [InlineData("a = -nan")]
    public void Nan_is_a_float(string toml) => double.IsNaN((double)Value(toml)).ShouldBeTrue();

    [Fact]
    public void Negative_zero_keeps_its_sign() => double.IsNegative((double)Value("a = -0.0")).ShouldBeTrue();

    [Theory]
    [InlineData("a = 1.", "a digit must follow the decimal point")]
    [InlineData("a = .5", "found '.'")]
    [InlineData("a = 1e", "the exponent needs digits")]
    [InlineData("a = 1.5_", "a digit must follow the decimal point")]
    [InlineData("a = 03.14", "leading zeros")]
    [InlineData("a = 1e400", "out of range for a 64-bit float")]
    [InlineData("a = Inf", "found 'I'")]
    public void Bad_floats_are_rejected(string toml, string problem) => Rejects(toml).Problem.ShouldContain(problem);

    [Fact]
    public void Booleans()
    {
        Value("a = true").ShouldBe(true);
        Value("a = false").ShouldBe(false);
        Rejects("a = True").Problem.ShouldContain("found 'T'");
        Rejects("a = tru").Problem.ShouldContain("did you mean true");
    }

    [Theory]
    [InlineData("a = \"tab\\there\"", "tab\there")]
    [InlineData("a = \"\\b\\t\\n\\f\\r\\\"\\\\\"", "\b\t\n\f\r\"\\")]
    [InlineData("a = \"\\u00e9\\U0001F600\"", "é😀")]
    [InlineData("a = 'C:\\Users\\nodejs'", "C:\\Users\\nodejs")]
    [InlineData("a = \"\"", "")]
    [InlineData("a = ''", "")]
    [InlineData("a = \"héllo wörld ✓\"", "héllo wörld ✓")]
    [InlineData("a = \"\"\"\nline1\nline2\"\"\"", "line1\nline2")]
    [InlineData("a = \"\"\"\r\nline1\r\nline2\"\"\"", "line1\nline2")]
    [InlineData("a = \"\"\"one \\\n    two \\\r\n\n   three\"\"\"", "one two three")]
    [InlineData("a = \"\"\"ends with \\   \n  \"\"\"", "ends with ")]
    [InlineData("a = \"\"\"\"quoted\"\"\"\"", "\"quoted\"")]
    [InlineData("a = \"\"\"two\"\"\"\"\"", "two\"\"")]
    [InlineData("a = '''\nraw \\n\n'''", "raw \\n\n")]
    [InlineData("a = ''''one'''", "'one")]
    [InlineData("a = '''x'''''", "x''")]
    [InlineData("a = \"a\tb\"", "a\tb")]
    public void Strings(string toml, string expected) => Value(toml).ShouldBe(expected);

    [Theory]
    [InlineData("a = \"\\q\"", "invalid escape '\\q'")]
    [InlineData("a = \"\\x41\"", "invalid escape '\\x'")]
    [InlineData("a = \"\\e\"", "invalid escape '\\e'")]
    [InlineData("a = \"\\uD800\"", "\\uD800 is not a Unicode scalar value")]
    [InlineData("a = \"\\U00110000\"", "\\U00110000 is not a Unicode scalar value")]
    [InlineData("a = \"\\u12\"", "needs 4 hex digits")]
    [InlineData("a = \"open", "unterminated string")]
    [InlineData("a = \"new\nline\"", "a newline is not allowed")]
    [InlineData("a = 'new\nline'", "a newline is not allowed")]
    [InlineData("a = \"\"\"six\"\"\"\"\"\"", "too many quotes")]
    [InlineData("a = \"\"\"never closed", "unterminated multi-line string")]
    [InlineData("a = \"\"\"bare\rcr\"\"\"", "carriage return")]
    [InlineData("a = \"\u0001\"", "control character U+0001 is not allowed")]
    [InlineData("a = '\u007f'", "control character U+007F is not allowed")]
    [InlineData("a = \"\"\"x \\ y\"\"\"", "a backslash followed by whitespace must end the line")]
    public void Bad_strings_are_rejected(string toml, string problem) => Rejects(toml).Problem.ShouldContain(problem);

    [Fact]
    public void Date_times_of_all_four_kinds()
    {
        var doc = Doc("""
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00.999999-07:00
            odt3 = 1979-05-27 07:32:00+05:30
            odt4 = 1979-05-27t07:32:00z
            ldt = 1979-05-27T07:32:00.5
            ld = 1979-05-27
            lt = 00:32:00.123456789
            """);
        ((TomlValue)doc["odt1"]).Value.ShouldBe(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.Zero));
        var odt2 = (TomlValue)doc["odt2"];
        odt2.Kind.ShouldBe(TomlValueKind.OffsetDateTime);
        odt2.Value.ShouldBe(new DateTimeOffset(1979, 5, 27, 0, 32, 0, TimeSpan.FromHours(-7)).AddTicks(9_999_990));
        odt2.FractionDigits.ShouldBe("999999");
        ((DateTimeOffset)((TomlValue)doc["odt3"]).Value).Offset.ShouldBe(new TimeSpan(5, 30, 0));
        ((TomlValue)doc["odt4"]).Value.ShouldBe(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.Zero));
        var ldt = (TomlValue)doc["ldt"];
        ldt.Kind.ShouldBe(TomlValueKind.LocalDateTime);
        ldt.Value.ShouldBe(new DateTime(1979, 5, 27, 7, 32, 0, 500, DateTimeKind.Unspecified));
        ((TomlValue)doc["ld"]).Value.ShouldBe(new DateOnly(1979, 5, 27));
        var lt = (TomlValue)doc["lt"];
        lt.Kind.ShouldBe(TomlValueKind.LocalTime);
        lt.Value.ShouldBe(new TimeOnly(0, 32, 0).Add(TimeSpan.FromTicks(1_234_567)));
        lt.FractionDigits.ShouldBe("123456789");
    }

    [Fact]
    public void A_date_followed_by_a_space_and_a_comment_is_a_local_date()
    {
        var value = (TomlValue)Doc("a = 2024-02-29 # leap day")["a"];
        value.Kind.ShouldBe(TomlValueKind.LocalDate);
        value.Value.ShouldBe(new DateOnly(2024, 2, 29));
    }

    [Fact]
    public void Offsets_beyond_what_dotnet_supports_keep_the_instant()
    {
        var value = (DateTimeOffset)Value("a = 2000-01-01T00:00:00+20:00");
        value.UtcDateTime.ShouldBe(new DateTime(1999, 12, 31, 4, 0, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData("a = 2023-02-29", "day 29 is out of range for 2023-02")]
    [InlineData("a = 2023-13-01", "month 13 is out of range")]
    [InlineData("a = 2023-01-01T24:00:00", "hour 24 is out of range")]
    [InlineData("a = 2023-01-01T23:60:00", "minute 60 is out of range")]
    [InlineData("a = 23:59:61", "second 61 is out of range")]
    [InlineData("a = 23:59:60", "leap second")]
    [InlineData("a = 2023-01-01T10:00", "seconds are required")]
    [InlineData("a = 2023-01-01T10:00:00+1:00", "2 digits for the offset hour")]
    [InlineData("a = 2023-01-01T10:00:00+24:00", "out of range")]
    [InlineData("a = 2023-01-01T10:00:00.", "expected digits after the decimal point")]
    [InlineData("a = 0000-01-01", "year 0000 cannot be represented")]
    [InlineData("a = 0001-01-01T00:00:00+01:00", "outside 0001-01-01T00:00:00Z")]
    public void Bad_date_times_are_rejected(string toml, string problem) => Rejects(toml).Problem.ShouldContain(problem);

    [Fact]
    public void Arrays_may_mix_types_span_lines_and_hold_comments()
    {
        var doc = Doc("""
            a = [ # first
              1, "two", [3.0], {four = 4},
              2020-01-01, # trailing comma below
            ]
            e = []
            """);
        var a = (TomlArray)doc["a"];
        a.Count.ShouldBe(5);
        ((TomlValue)a[0]).Value.ShouldBe(1L);
        ((TomlValue)a[1]).Value.ShouldBe("two");
        ((TomlValue)((TomlArray)a[2])[0]).Value.ShouldBe(3.0);
        ((TomlValue)((TomlTable)a[3])["four"]).Value.ShouldBe(4L);
        ((TomlValue)a[4]).Kind.ShouldBe(TomlValueKind.LocalDate);
        ((TomlArray)doc["e"]).Count.ShouldBe(0);
        a.IsArrayOfTables.ShouldBeFalse();
    }

    [Fact]
    public void Inline_tables_with_dotted_keys()
    {
        var doc = Doc("p = { name = { first = \"Tom\" }, point.x = 1, point.y = 2 }");
        ((TomlValue)doc.At("p.name.first")).Value.ShouldBe("Tom");
        ((TomlValue)doc.At("p.point.x")).Value.ShouldBe(1L);
        ((TomlValue)doc.At("p.point.y")).Value.ShouldBe(2L);
        ((TomlTable)doc["p"]).Origin.ShouldBe(TomlTableOrigin.Inline);
    }

    [Theory]
    [InlineData("a = {x = 1,}", "trailing comma is not allowed")]
    [InlineData("a = {x = 1\n}", "inline tables must be on one line")]
    [InlineData("a = {x = 1 y = 2}", "expected ',' or '}'")]
    [InlineData("a = {,}", "expected a key, found ','")]
    [InlineData("a = [1 2]", "expected ',' or ']' after an array element, found '2'")]
    [InlineData("a = [1,,2]", "expected a value in the array, found ','")]
    [InlineData("a = [1", "found end of file")]
    public void Bad_arrays_and_inline_tables_are_rejected(string toml, string problem) => Rejects(toml).Problem.ShouldContain(problem);
}
