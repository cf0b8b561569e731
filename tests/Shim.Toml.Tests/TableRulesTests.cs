using static Shim.Toml.Tests.TomlAssert;

namespace Shim.Toml.Tests;

/// <summary>Keys, headers, arrays of tables and every redefinition rule of TOML 1.0.</summary>
public class TableRulesTests
{
    [Fact]
    public void Keys_bare_quoted_dotted_and_numeric()
    {
        var doc = Doc("""
            bare_key-1 = 1
            "quoted key" = 2
            'literal "key"' = 3
            "" = 4
            site."google.com" = 5
            3.14159 = "pi"
            a . b . c = 6
            """);
        ((TomlValue)doc["bare_key-1"]).Value.ShouldBe(1L);
        ((TomlValue)doc["quoted key"]).Value.ShouldBe(2L);
        ((TomlValue)doc["literal \"key\""]).Value.ShouldBe(3L);
        ((TomlValue)doc[""]).Value.ShouldBe(4L);
        ((TomlValue)((TomlTable)doc["site"])["google.com"]).Value.ShouldBe(5L);
        ((TomlValue)doc.At("3.14159")).Value.ShouldBe("pi");
        ((TomlValue)doc.At("a.b.c")).Value.ShouldBe(6L);
        doc.Keys.ShouldBe(["bare_key-1", "quoted key", "literal \"key\"", "", "site", "3", "a"]);
    }

    [Fact]
    public void Headers_implicit_tables_and_dotted_keys_combine()
    {
        var doc = Doc("""
            [x.y.z.w]
            a = 1
            [x]
            b = 2
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]
            smooth = true
            """);
        ((TomlValue)doc.At("x.y.z.w.a")).Value.ShouldBe(1L);
        ((TomlValue)doc.At("x.b")).Value.ShouldBe(2L);
        ((TomlValue)doc.At("fruit.apple.taste.sweet")).Value.ShouldBe(true);
        ((TomlValue)doc.At("fruit.apple.texture.smooth")).Value.ShouldBe(true);
        ((TomlTable)doc.At("x")).Origin.ShouldBe(TomlTableOrigin.Header);
        ((TomlTable)doc.At("x.y")).Origin.ShouldBe(TomlTableOrigin.Implicit);
        ((TomlTable)doc.At("fruit.apple")).Origin.ShouldBe(TomlTableOrigin.DottedKey);
    }

    [Fact]
    public void Arrays_of_tables_nest_under_the_latest_element()
    {
        var doc = Doc("""
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits.varieties]]
            name = "granny smith"
            [[fruits]]
            name = "banana"
            [[fruits.varieties]]
            name = "plantain"
            """);
        var fruits = (TomlArray)doc["fruits"];
        fruits.IsArrayOfTables.ShouldBeTrue();
        fruits.Count.ShouldBe(2);
        var apple = (TomlTable)fruits[0];
        ((TomlValue)apple.At("physical.color")).Value.ShouldBe("red");
        ((TomlArray)apple["varieties"]).Count.ShouldBe(2);
        var banana = (TomlTable)fruits[1];
        ((TomlValue)((TomlTable)((TomlArray)banana["varieties"])[0])["name"]).Value.ShouldBe("plantain");
    }

    [Theory]
    [InlineData("[a]\nx = 1\n\n[a]\ny = 2", 4, 1, "table [a] defined twice (first at 1:1)")]
    [InlineData("[a.b]\n[a]\n[a]", 3, 1, "table [a] defined twice (first at 2:1)")]
    [InlineData("a.b = 1\n[a]", 2, 1, "table [a] was already defined by a dotted key at 1:1")]
    [InlineData("[fruit]\napple.color = 'red'\n[fruit.apple]", 3, 1, "table [fruit.apple] was already defined by a dotted key at 2:1")]
    [InlineData("a = {}\n[a]", 2, 1, "table [a] was already defined as an inline table at 1:5")]
    [InlineData("a = {}\n[a.b]", 2, 2, "cannot extend inline table a")]
    [InlineData("a = {b = 1}\na.c = 2", 2, 1, "cannot add a.c to inline table a")]
    [InlineData("a = {b = {}, b.c = 1}", 1, 14, "cannot add b.c to inline table b")]
    [InlineData("a = [1]\n[[a]]", 2, 1, "cannot append [[a]] to the array value defined at 1:5: arrays written as values are static")]
    [InlineData("a = [{}]\n[a.b]", 2, 2, "header [a.b] needs a to be a table, but it is already an array")]
    [InlineData("[[a]]\n[a]", 2, 1, "table [a] conflicts with an array of tables")]
    [InlineData("[a]\n[[a]]", 2, 1, "[[a]] conflicts with a table")]
    [InlineData("[[a.b]]\n[[a]]", 2, 1, "[[a]] conflicts with a table")]
    [InlineData("a = 1\n[a]", 2, 1, "table [a] conflicts with an integer defined at 1:1")]
    [InlineData("a = 1\na = 2", 2, 1, "key a defined twice (first at 1:1, as an integer)")]
    [InlineData("a = 1\na.b = 2", 2, 1, "cannot use dotted key a.b: a is already an integer")]
    [InlineData("a.b = 1\na = 2", 2, 1, "key a defined twice (first at 1:1, as a table)")]
    [InlineData("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3, "c is a table defined by its own [header] at 1:1")]
    [InlineData("[[a.b]]\n[a]\nb.y = 2", 3, 1, "cannot use dotted key b.y: b is already an array of tables")]
    [InlineData("[a]\nb = 1\n[a.b]", 3, 1, "table [a.b] conflicts with an integer defined at 2:1")]
    [InlineData("a = {x = 1, x = 2}", 1, 13, "key x defined twice (first at 1:6")]
    public void Redefinitions_are_rejected_with_both_positions(string toml, int line, int column, string problem)
    {
        var error = Rejects(toml);
        error.Problem.ShouldContain(problem);
        error.Position.ShouldBe(new TomlPosition(line, column));
        error.Message.ShouldBe($"test.toml:{line}:{column}: {error.Problem}");
    }

    [Theory]
    [InlineData("[a.b]\n[a]\nc = 1")]
    [InlineData("[[a.b]]\n[a]\nc = 1")]
    [InlineData("[a]\nb.c = 1\n[a.b.d]\ne = 1")]
    [InlineData("[a.b.c]\n[a]\nb.d = 1")]
    [InlineData("a = {b.c = 1, b.d = 2}")]
    [InlineData("[[a]]\nb.c = 1\n[a.b.d]")]
    public void Allowed_combinations_parse(string toml) => Should.NotThrow(() => Doc(toml));

    [Theory]
    [InlineData("a", "expected '=' after key a")]
    [InlineData("a b = 1", "expected '=' after key a, found 'b'")]
    [InlineData("a = 1 b = 2", "expected a newline or end of file after value, found 'b'")]
    [InlineData("[a] b = 1", "expected a newline or end of file after table header, found 'b'")]
    [InlineData("[a", "expected ']' to close table header [a]")]
    [InlineData("[[a]", "expected ']]' to close array-of-tables header [[a]]")]
    [InlineData("[]", "expected a key, found ']'")]
    [InlineData("a. = 1", "expected a key, found '='")]
    [InlineData("a = 1\n. = 2", "expected a key, found '.'")]
    [InlineData("\"\"\"a\"\"\" = 1", "a multi-line string cannot be used as a key")]
    [InlineData("é = 1", "expected a key, found 'é'")]
    [InlineData("a =", "expected a value after '=', found end of file")]
    [InlineData("a = # no", "expected a value after '=', found the end of the line")]
    public void Syntax_errors_say_what_was_expected(string toml, string problem) => Rejects(toml).Problem.ShouldContain(problem);
}
