namespace Shim.Configuration.Tests;

public class ConfigCheckTests
{
    private static (int Exit, string Out, string Err) Run(FakeFileSystem fs, string? file, string? env = null, bool showIgnored = false, params string[] annotations)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = ConfigCheck.Run(file, annotations, env, showIgnored, fs, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_valid_file_prints_every_value_with_its_origin_grouped_by_section()
    {
        var fs = new FakeFileSystem(new() { ["/c.toml"] = "[hypervisor.qemu]\npcie_root_port = 4\ncold_plug_vfio = \"root-port\"\n[factory]\nx = 1\n" });
        var (exit, output, error) = Run(fs, "/c.toml");
        exit.ShouldBe(0);
        error.ShouldBeEmpty();
        output.ShouldContain("# kataplug effective configuration from /c.toml (command-line argument)");
        output.ShouldMatch(@"(?m)^pcie_root_port = 4 +# /c\.toml:2:18$");
        output.ShouldMatch(@"(?m)^cold_plug_vfio = ""root-port"" +# /c\.toml:3:18$");
        output.ShouldMatch(@"(?m)^hot_plug_vfio = ""no-port"" +# default$");
        output.ShouldMatch(@"(?m)^vfio_mode = ""guest-kernel"" +# default$");
        var sections = new[] { "[hypervisor.qemu]", "[runtime]", "[agent.kata]", "[plugins]", "[host]" };
        sections.Select(s => output.IndexOf("\n" + s + "\n", StringComparison.Ordinal)).ShouldBeInOrder(SortDirection.Ascending);
        sections.ShouldAllBe(s => output.Contains("\n" + s + "\n"));
        output.ShouldContain("# 1 key ignored (not used by kataplug); list them with --show-ignored");
        output.ShouldEndWith("# the configuration is valid" + Environment.NewLine);
    }

    [Fact]
    public void Show_ignored_lists_them()
    {
        var fs = new FakeFileSystem(new() { ["/c.toml"] = "[factory]\nx = 1\n" });
        Run(fs, "/c.toml", showIgnored: true).Out.ShouldContain("# ignored: factory (/c.toml:1:2): not used by kataplug");
    }

    [Fact]
    public void Annotations_are_applied_and_shown_as_origins()
    {
        var fs = new FakeFileSystem(new() { ["/c.toml"] = "[hypervisor.qemu]\nenable_annotations = [\"pcie_root_port\"]\n" });
        var (exit, output, _) = Run(fs, "/c.toml", null, false, "io.katacontainers.config.hypervisor.pcie_root_port=8");
        exit.ShouldBe(0);
        output.ShouldContain("# with 1 annotation");
        output.ShouldMatch(@"(?m)^pcie_root_port = 8 +# annotation io\.katacontainers\.config\.hypervisor\.pcie_root_port$");
    }

    [Fact]
    public void An_invalid_file_exits_1_with_every_problem_one_per_line()
    {
        var fs = new FakeFileSystem(new() { ["/c.toml"] = "[hypervisor.qemu]\npcie_root_port = 20\nmachine_type = \"q34\"\n[host]\nstate_dir = \"x\"\n" });
        var (exit, output, error) = Run(fs, "/c.toml");
        exit.ShouldBe(1);
        output.ShouldBeEmpty();
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(4);
        lines[0].ShouldStartWith("/c.toml:2:18: [hypervisor.qemu] pcie_root_port = 20: must be between 0 and 16");
        lines[1].ShouldStartWith("/c.toml:3:16: [hypervisor.qemu] machine_type = \"q34\": must be one of");
        lines[2].ShouldStartWith("/c.toml:5:13: [host] state_dir = \"x\": must be an absolute path");
        lines[3].ShouldBe("kataplug config check: 3 problems; the configuration is invalid");
    }

    [Fact]
    public void A_refused_annotation_fails_the_check()
    {
        var fs = new FakeFileSystem(new() { ["/c.toml"] = "" });
        var (exit, _, error) = Run(fs, "/c.toml", null, false, "io.katacontainers.config.hypervisor.cold_plug_vfio=root-port");
        exit.ShouldBe(1);
        error.ShouldContain("enable_annotations");
    }

    [Theory]
    [InlineData("novalue", "--annotation novalue: expected KEY=VALUE")]
    [InlineData("=x", "--annotation =x: expected KEY=VALUE")]
    public void Malformed_annotation_arguments_are_refused(string argument, string expected)
    {
        var (exit, _, error) = Run(new FakeFileSystem(new() { ["/c.toml"] = "" }), "/c.toml", null, false, argument);
        exit.ShouldBe(1);
        error.ShouldStartWith(expected);
    }

    [Fact]
    public void Without_a_file_the_environment_then_etc_then_the_embedded_default_is_used()
    {
        Run(new FakeFileSystem(new() { ["/env.toml"] = "" }), null, env: "/env.toml").Out.ShouldContain("from /env.toml (environment KATAPLUG_CONF_FILE)");
        Run(new FakeFileSystem(new() { [ConfigFileResolver.SystemDefaultPath] = "" }), null).Out.ShouldContain("from /etc/kataplug/configuration.toml (default path)");
        var embedded = Run(new FakeFileSystem([]), null);
        embedded.Exit.ShouldBe(0);
        embedded.Out.ShouldContain($"from {EmbeddedDefaultConfiguration.SourceName}");
        embedded.Out.ShouldMatch(@"(?m)^accelerator = ""tcg"" +# embedded:configuration\.toml:\d+:\d+$");
    }
}
