namespace Shim.Configuration.Tests;

public class PluginSettingsTests
{
    private const string Plugins = """
        [plugins]
        enabled = ["physical-vf", "vfio"]
        directory = "/opt/kataplug/plugins"

        [plugins.settings.physical-vf]
        set_admin_mac = true
        queues = 4

        [[plugins.rule]]
        plugin = "physical-vf"
        driver = "virtio-pci"
        action = "exclude"

        [[plugins.rule]]
        plugin = "physical-vf"
        interface = "net[0-9]*"
        vendor_device = "8086:154C"
        annotation = "kataplug.io/passthrough=true"
        """;

    private static readonly PluginSettings P = TestConfig.Load(Plugins).Plugins;

    [Fact]
    public void Enabled_plugins_keep_their_order()
    {
        P.Enabled.Value.ShouldBe(["physical-vf", "vfio"]);
        P.IsEnabled("vfio").ShouldBeTrue();
        P.IsEnabled("vhost-user").ShouldBeFalse();
    }

    [Fact]
    public void Plugin_settings_are_kept_as_the_raw_table_with_positions()
    {
        var table = P.SettingsFor("physical-vf").ShouldNotBeNull();
        table.Keys.ShouldBe(["set_admin_mac", "queues"]);
        ((Toml.TomlValue)table["queues"]).Value.ShouldBe(4L);
        table.KeyPosition("queues").ShouldBe(new Toml.TomlPosition(7, 1));
        P.Settings["physical-vf"].SourceName.ShouldBe("test.toml");
        P.SettingsFor("vfio").ShouldBeNull();
    }

    [Fact]
    public void Rules_are_parsed_in_order_with_normalised_match_fields()
    {
        P.Rules.Length.ShouldBe(2);
        P.Rules[0].ShouldSatisfyAllConditions(
            r => r.Index.ShouldBe(0),
            r => r.Driver.ShouldBe("virtio-pci"),
            r => r.Action.ShouldBe(PluginRuleAction.Exclude),
            r => r.Interface.ShouldBeNull());
        var rule = P.Rules[1];
        rule.Action.ShouldBe(PluginRuleAction.Include); // default
        rule.Interface!.Pattern.ShouldBe("net[0-9]*");
        rule.VendorDevice.ShouldBe(new PciVendorDevice(0x8086, 0x154c));
        rule.VendorDevice!.ToString().ShouldBe("8086:154c");
        rule.Annotation.ShouldBe(new AnnotationMatch("kataplug.io/passthrough", "true"));
        rule.OriginOf("vendor_device").ToString().ShouldBe("test.toml:17:17");
    }

    public static TheoryData<string, string> RuleProblems => new()
    {
        { "plugin = \"vfio\"\nvendor_device = \"8086-154c\"", "test.toml:5:17: [[plugins.rule]] #1 vendor_device = \"8086-154c\": must be a PCI \"vendor:device\" pair of 4-digit hex numbers, e.g. \"8086:154c\"" },
        { "plugin = \"vfio\"\nvendor_device = \"808g:154c\"", "test.toml:5:17: [[plugins.rule]] #1 vendor_device = \"808g:154c\": must be a PCI \"vendor:device\" pair of 4-digit hex numbers, e.g. \"8086:154c\"" },
        { "plugin = \"vfio\"\ninterface = \"net[0\"", "test.toml:5:13: [[plugins.rule]] #1 interface = \"net[0\": unclosed '[' at character 4" },
        { "plugin = \"vfio\"\nannotation = \"no-value\"", "test.toml:5:14: [[plugins.rule]] #1 annotation = \"no-value\": must be \"key=value\" (a pod annotation and the exact value it must have)" },
        { "plugin = \"vfio\"\naction = \"allow\"", "test.toml:5:10: [[plugins.rule]] #1 action = \"allow\": must be one of \"include\", \"exclude\"" },
        { "plugin = \"vfio\"\nvendor = \"8086\"", "test.toml:5:1: [[plugins.rule]] #1 vendor = \"8086\": unknown key in kataplug's [[plugins.rule]] #1 table; known keys: plugin, interface, vendor_device, driver, annotation, action" },
        { "driver = \"iavf\"", "test.toml:3:1: [[plugins.rule]] #1 plugin: is required: name the plugin this rule applies to, e.g. plugin = \"physical-vf\"" },
        { "plugin = \"vhost-user\"", "test.toml:4:10: [[plugins.rule]] #1 plugin = \"vhost-user\": is not in [plugins] enabled = [\"vfio\"] (test.toml:2:11); enable it or remove the rule" },
    };

    [Theory]
    [MemberData(nameof(RuleProblems))]
    public void Rule_problems_name_the_rule_and_the_field(string ruleBody, string expected)
    {
        TestConfig.SingleProblem($"[plugins]\nenabled = [\"vfio\"]\n[[plugins.rule]]\n{ruleBody}\n").ShouldBe(expected);
    }

    [Fact]
    public void Settings_for_a_plugin_that_is_not_enabled_are_kept_and_listed_as_ignored()
    {
        var c = TestConfig.Load("[plugins]\nenabled = [\"vfio\"]\n[plugins.settings.vhost-user]\nqueues = 2\n");
        c.Plugins.SettingsFor("vhost-user").ShouldNotBeNull();
        c.IgnoredKeys.ShouldContain(k => k.Section == "plugins.settings" && k.Key == "vhost-user" && k.Reason == "plugin is not in [plugins] enabled");
    }

    [Theory]
    [InlineData("[plugins]\nsettings = 3\n", "test.toml:2:12: [plugins] settings = 3: must be a table of per-plugin tables, e.g. [plugins.settings.physical-vf]")]
    [InlineData("[plugins]\nrule = \"x\"\n", "test.toml:2:8: [plugins] rule = \"x\": must be an array of tables: write each rule as [[plugins.rule]] followed by plugin = \"...\" and match keys")]
    [InlineData("[plugins.settings]\nvfio = 1\n", "test.toml:2:1: [plugins.settings] vfio = 1: must be a table: write [plugins.settings.vfio] followed by the plugin's keys")]
    public void Malformed_plugin_tables_are_refused(string toml, string expected)
    {
        TestConfig.SingleProblem(toml).ShouldBe(expected);
    }
}
