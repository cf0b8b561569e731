namespace Shim.Configuration.Tests;

public class InterfaceNameGlobTests
{
    [Theory]
    [InlineData("net*", "net0", true)]
    [InlineData("net*", "net", true)]
    [InlineData("net*", "eth0", false)]
    [InlineData("eth?", "eth1", true)]
    [InlineData("eth?", "eth10", false)]
    [InlineData("ens[1-3]f*", "ens2f0v1", true)]
    [InlineData("ens[1-3]f*", "ens4f0", false)]
    [InlineData("ens[!1]", "ens2", true)]
    [InlineData("ens[!1]", "ens1", false)]
    [InlineData("*v[0-9]", "enp3s0f0v7", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Globs_match_whole_interface_names(string pattern, string name, bool expected)
    {
        var glob = InterfaceNameGlob.TryCreate(pattern, out var error).ShouldNotBeNull();
        error.ShouldBeNull();
        glob.IsMatch(name).ShouldBe(expected);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("net 0", "interface names cannot contain whitespace or '/'")]
    [InlineData("net[", "unclosed '[' at character 4")]
    [InlineData("a[b", "unclosed '[' at character 2")]
    public void Malformed_globs_are_refused_with_a_reason(string pattern, string expected)
    {
        InterfaceNameGlob.TryCreate(pattern, out var error).ShouldBeNull();
        error.ShouldBe(expected);
    }
}
