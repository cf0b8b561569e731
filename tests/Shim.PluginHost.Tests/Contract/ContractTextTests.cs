using Shim.Abstractions;
using Shim.PluginHost.Tests.Fakes;

namespace Shim.PluginHost.Tests.Contract;

public sealed class ContractTextTests
{
    [Theory]
    [InlineData("0000:3b:02.1", "0000:3b:02.1")]
    [InlineData("0000:3B:02.1", "0000:3b:02.1")]
    [InlineData("10000:00:1f.7", "10000:00:1f.7")]
    [InlineData("3b:02.1", null)]
    [InlineData("0000:3b:20.1", null)]
    [InlineData("0000:3b:02.8", null)]
    [InlineData("usb-0000:00:14.0-1", null)]
    [InlineData("0000:3b:02.1\n", null)]
    [InlineData("../0000:3b:02.1", null)]
    [InlineData("", null)]
    public void Bdf_grammar_is_strict(string text, string? expected)
    {
        PciAddressText.TryNormalize(text, out var bdf).ShouldBe(expected is not null);
        bdf.ShouldBe(expected);
    }

    [Theory]
    [InlineData("net*", "net1", true)]
    [InlineData("net*", "eth1", false)]
    [InlineData("eth?", "eth10", false)]
    [InlineData("*f0v*", "ens1f0v5", true)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("eth[0-3]", "eth2", true)]
    [InlineData("eth[0-3]", "eth7", false)]
    [InlineData("eth[!0]", "eth0", false)]
    [InlineData("ens[12]f*", "ens2f0v3", true)]
    [InlineData("a[b", "a[b", true)]
    public void Name_globs_match_like_a_shell(string pattern, string value, bool matches) =>
        NameGlob.Matches(pattern, value).ShouldBe(matches);

    [Fact]
    public void Settings_getters_name_the_key_and_the_found_value()
    {
        var settings = new PluginSettings(Contexts.Table(("flag", "yes"), ("n", 99L), ("list", new List<object> { "a", 1L })), "plugins.x");

        Should.Throw<PluginSettingsException>(() => settings.GetBool("flag", false)).Message
            .ShouldBe("plugins.x.flag must be a boolean (true or false), got the string \"yes\"");
        Should.Throw<PluginSettingsException>(() => settings.GetLong("n", 1, 1, 64)).Message
            .ShouldBe("plugins.x.n = 99 is out of range: allowed 1..64");
        Should.Throw<PluginSettingsException>(() => settings.GetStringList("list")).Key.ShouldBe("plugins.x.list");
        settings.GetBool("absent", true).ShouldBeTrue();
        settings.GetTableList("absent").ShouldBeEmpty();
    }

    [Fact]
    public void The_oci_view_reads_annotations_env_and_devices()
    {
        var spec = OciSpecView.Parse(Contexts.Spec(new Dictionary<string, string> { ["a"] = "b" }, ["X=1", "X=2", "Y=a=b"], ["/dev/vfio/7"]));

        spec.Annotations["a"].ShouldBe("b");
        spec.EnvironmentVariables()["X"].ShouldBe("2");
        spec.EnvironmentVariables()["Y"].ShouldBe("a=b");
        spec.Devices.ShouldHaveSingleItem().ShouldBe(new OciDevice("/dev/vfio/7", "c", 241, 0));
        OciSpecView.Parse("").ShouldBe(OciSpecView.Empty);
        Should.Throw<FormatException>(() => OciSpecView.Parse("[")).Message.ShouldContain("config.json");
    }
}
