using System.Text;

namespace Shim.Toml.Tests.Conformance;

/// <summary>Every document of the toml-test suite (TOML 1.0.0 selection), one theory row each, no skip list.</summary>
public class TomlTestSuiteTests
{
    public static TheoryData<string> ValidCases => TomlTestSuite.Cases("valid");
    public static TheoryData<string> InvalidCases => TomlTestSuite.Cases("invalid");

    [Fact]
    public void Suite_is_present_and_complete()
    {
        ValidCases.Count.ShouldBe(210, $"valid documents under {TomlTestSuite.Root}");
        InvalidCases.Count.ShouldBe(499, $"invalid documents under {TomlTestSuite.Root}");
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid_document_decodes_to_the_expected_tagged_json(string relativePath)
    {
        var toml = File.ReadAllBytes(TomlTestSuite.FullPath(relativePath));
        var expected = File.ReadAllText(Path.ChangeExtension(TomlTestSuite.FullPath(relativePath), ".json"), Encoding.UTF8);

        var actual = TomlTaggedJson.Write(TomlParser.Parse(toml, relativePath));

        var difference = TaggedJsonComparer.FirstDifference(expected, actual);
        difference.ShouldBeNull($"decoded: {actual}");
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_document_is_rejected_with_a_position(string relativePath)
    {
        var toml = File.ReadAllBytes(TomlTestSuite.FullPath(relativePath));

        var error = Should.Throw<TomlException>(() => TomlParser.Parse(toml, relativePath));

        error.SourceName.ShouldBe(relativePath);
        error.Position.Line.ShouldBeGreaterThan(0);
        error.Position.Column.ShouldBeGreaterThan(0);
        error.Message.ShouldStartWith($"{relativePath}:{error.Position.Line}:{error.Position.Column}: ");
    }
}
