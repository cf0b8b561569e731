namespace Shim.Configuration.Tests;

public class TomlTextTests
{
    [Fact]
    public void Plugin_settings_of_every_kind_render_as_TOML_in_config_check()
    {
        var c = TestConfig.Load("[plugins]\nenabled = [\"vfio\"]\n[plugins.settings.vfio]\na = 1979-05-27T07:32:00-08:00\nb = 1979-05-27T07:32:00.5\nc = 1979-05-27\nd = 07:32:00\ne = 3.0\nf = inf\ng = [1, \"x\"]\nh = { k = true }\n");
        var text = ConfigurationDescription.Format(c);
        text.ShouldContain("a = 1979-05-27T07:32:00-08:00");
        text.ShouldContain("b = 1979-05-27T07:32:00.5");
        text.ShouldContain("c = 1979-05-27");
        text.ShouldContain("d = 07:32:00");
        text.ShouldContain("e = 3.0");
        text.ShouldContain("f = inf");
        text.ShouldContain("g = [1, \"x\"]");
        text.ShouldContain("h = { k = true }");
        text.ShouldContain("# test.toml:4:5");
    }
}
