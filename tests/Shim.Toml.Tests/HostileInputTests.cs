using System.Text;
using static Shim.Toml.Tests.TomlAssert;

namespace Shim.Toml.Tests;

/// <summary>Hostile documents end in a TomlException (never a crash, hang or stack overflow).</summary>
public class HostileInputTests
{
    private static string Nested(string open, string close, int depth, string inner) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    [Fact]
    public void Arrays_nest_up_to_the_limit()
    {
        var doc = Doc("a = " + Nested("[", "]", TomlParser.MaxNestingDepth, "1"));
        TomlNode node = doc["a"];
        var depth = 0;
        while (node is TomlArray array)
        {
            depth++;
            node = array[0];
        }
        depth.ShouldBe(128);
        ((TomlValue)node).Value.ShouldBe(1L);
    }

    [Fact]
    public void Arrays_nested_past_the_limit_are_rejected_naming_the_limit()
    {
        var error = Rejects("a = " + Nested("[", "]", 129, "1"));
        error.Problem.ShouldContain("limit of 128");
        error.Position.ShouldBe(new TomlPosition(1, 5 + 128));
    }

    [Fact]
    public void Inline_tables_nested_past_the_limit_are_rejected_naming_the_limit()
    {
        Should.NotThrow(() => Doc("a = " + Nested("{b = ", "}", 128, "1")));
        Rejects("a = " + Nested("{b = ", "}", 129, "1")).Problem.ShouldContain("limit of 128");
        Rejects("a = " + Nested("[{b = ", "}]", 100, "1")).Problem.ShouldContain("limit of 128");
    }

    [Fact]
    public void Unclosed_deep_nesting_is_rejected_without_stack_overflow()
    {
        Rejects("a = " + new string('[', 1_000_000)).Problem.ShouldContain("limit of 128");
        Rejects("a = " + string.Concat(Enumerable.Repeat("{b=", 100_000))).Problem.ShouldContain("limit of 128");
    }

    [Fact]
    public void Dotted_keys_and_headers_are_held_to_the_same_limit()
    {
        var deepKey = string.Join('.', Enumerable.Repeat("k", 100_000));
        Rejects(deepKey + " = 1").Problem.ShouldContain("128");
        Rejects("[" + deepKey + "]").Problem.ShouldContain("128");
        var okKey = string.Join('.', Enumerable.Repeat("k", 100));
        Should.NotThrow(() => Doc(okKey + " = 1"));
    }

    [Fact]
    public void Huge_strings_parse()
    {
        var big = new string('x', 16 * 1024 * 1024);
        string.Equals((string)Value($"a = \"{big}\""), big, StringComparison.Ordinal).ShouldBeTrue();
        string.Equals((string)Value($"a = '''{big}'''"), big, StringComparison.Ordinal).ShouldBeTrue();
        var escaped = string.Concat(Enumerable.Repeat("\\u00e9", 200_000));
        ((string)Value($"a = \"{escaped}\"")).Length.ShouldBe(200_000);
    }

    [Fact]
    public void Very_long_keys_parse()
    {
        var key = new string('k', 4 * 1024 * 1024);
        var doc = Doc($"{key} = 1\n\"{key}q\" = 2");
        ((TomlValue)doc[key]).Value.ShouldBe(1L);
        doc.KeyPosition(key + "q").ShouldBe(new TomlPosition(2, 1));
        var error = Rejects($"{key} = 1\n{key} = 2");
        error.Problem.ShouldStartWith("key " + key[..64] + "... defined twice (first at 1:1");
        error.Problem.Length.ShouldBeLessThan(200);
    }

    [Fact]
    public void Huge_numbers_are_errors_with_a_short_message()
    {
        var error = Rejects("a = " + new string('9', 1_000_000));
        error.Problem.ShouldContain("out of range for a 64-bit integer");
        error.Problem.Length.ShouldBeLessThan(200);
        Rejects("a = 1." + new string('5', 1_000_000) + "e99999").Problem.ShouldContain("out of range for a 64-bit float");
    }

    [Fact]
    public void Many_keys_in_one_table_and_long_one_line_arrays_parse()
    {
        var text = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"key{i} = {i}\n"));
        var doc = Doc(text + "arr = [" + string.Join(',', Enumerable.Range(0, 200_000)) + "]");
        doc.Count.ShouldBe(100_001);
        ((TomlValue)doc["key99999"]).Value.ShouldBe(99_999L);
        var arr = (TomlArray)doc["arr"];
        arr.Count.ShouldBe(200_000);
        var column = 8 + Enumerable.Range(0, 199_999).Sum(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1);
        arr[199_999].Position.ShouldBe(new TomlPosition(100_001, column));
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)' ', (byte)'=', (byte)' ', (byte)'"', 0xC3, (byte)'"' }, 1, 6)]
    [InlineData(new byte[] { (byte)'a', (byte)'=', (byte)'1', (byte)'\n', (byte)'#', 0xFF }, 2, 2)]
    [InlineData(new byte[] { (byte)'a', (byte)'=', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"' }, 1, 4)]
    [InlineData(new byte[] { (byte)'a', (byte)'=', (byte)'"', 0xC0, 0x80, (byte)'"' }, 1, 4)]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'a' }, 1, 1)]
    public void Invalid_utf8_is_an_error_with_its_position(byte[] document, int line, int column)
    {
        var error = Rejects(document);
        error.Problem.ShouldContain("invalid UTF-8");
        error.Position.ShouldBe(new TomlPosition(line, column));
    }

    [Theory]
    [InlineData("\0", 1, 1)]
    [InlineData("a = 1\0", 1, 6)]
    [InlineData("a = \"x\0\"", 1, 7)]
    [InlineData("a = 1 # c\0", 1, 10)]
    [InlineData("a\0 = 1", 1, 2)]
    [InlineData("a = '''\n\0'''", 2, 1)]
    public void Nul_bytes_are_errors(string toml, int line, int column)
    {
        var error = Rejects(Encoding.UTF8.GetBytes(toml));
        error.Problem.ShouldContain("U+0000");
        error.Position.ShouldBe(new TomlPosition(line, column));
    }

    [Fact]
    public void Unpaired_surrogates_in_text_are_errors()
    {
        var error = Rejects("a = 1\nb = \"x\uD800\"");
        error.Problem.ShouldContain("unpaired surrogate U+D800");
        error.Position.ShouldBe(new TomlPosition(2, 7));
    }

    [Fact]
    public void Empty_and_whitespace_documents_are_empty_tables()
    {
        TomlParser.Parse(ReadOnlySpan<byte>.Empty, "empty.toml").Count.ShouldBe(0);
        Doc(" \t\n\r\n# only a comment").Count.ShouldBe(0);
    }
}
