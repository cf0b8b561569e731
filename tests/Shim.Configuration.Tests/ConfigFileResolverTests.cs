namespace Shim.Configuration.Tests;

public class ConfigFileResolverTests
{
    private const string Etc = ConfigFileResolver.SystemDefaultPath;

    private static Func<string, bool> Existing(params string[] paths) => p => paths.Contains(p);

    public static TheoryData<ConfigSelectionInputs, string[], ConfigSourceKind, string?> Precedence => new()
    {
        { new(ConfigConsumer.Cli, ExplicitFile: "/tmp/a.toml", RuntimeOptionsConfigPath: "/b.toml", EnvironmentConfigFile: "/c.toml"), ["/tmp/a.toml", "/b.toml", "/c.toml", Etc], ConfigSourceKind.Argument, "/tmp/a.toml" },
        { new(ConfigConsumer.Shim, RuntimeOptionsConfigPath: "/b.toml", EnvironmentConfigFile: "/etc/kataplug/c.toml"), ["/b.toml", "/etc/kataplug/c.toml", Etc], ConfigSourceKind.RuntimeOptions, "/b.toml" },
        { new(ConfigConsumer.Shim, EnvironmentConfigFile: "/etc/kataplug/c.toml"), ["/etc/kataplug/c.toml", Etc], ConfigSourceKind.Environment, "/etc/kataplug/c.toml" },
        { new(ConfigConsumer.Cli, EnvironmentConfigFile: "/home/me/c.toml"), ["/home/me/c.toml", Etc], ConfigSourceKind.Environment, "/home/me/c.toml" },
        { new(ConfigConsumer.Shim), [Etc], ConfigSourceKind.SystemDefault, Etc },
        { new(ConfigConsumer.Shim, RuntimeOptionsConfigPath: "", EnvironmentConfigFile: ""), [Etc], ConfigSourceKind.SystemDefault, Etc },
        { new(ConfigConsumer.Cli), [], ConfigSourceKind.EmbeddedDefault, null },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void The_first_source_that_is_set_wins(ConfigSelectionInputs inputs, string[] existing, ConfigSourceKind kind, string? path)
    {
        var choice = ConfigFileResolver.ResolveBase(inputs, Existing(existing));
        choice.Kind.ShouldBe(kind);
        choice.Path.ShouldBe(path);
    }

    public static TheoryData<ConfigSelectionInputs, string> Refused => new()
    {
        { new(ConfigConsumer.Shim, RuntimeOptionsConfigPath: "/missing.toml"), "/missing.toml: file not found; it is named by the containerd runtime entry's options ConfigPath: create it or fix the path" },
        { new(ConfigConsumer.Shim, RuntimeOptionsConfigPath: "conf.toml"), "conf.toml: conf.toml is not an absolute path: set options ConfigPath in the containerd runtime entry to an absolute path" },
        { new(ConfigConsumer.Cli, EnvironmentConfigFile: "/missing.toml"), "/missing.toml: file not found; it is named by KATAPLUG_CONF_FILE: create it or fix the path" },
        { new(ConfigConsumer.Shim, EnvironmentConfigFile: "/home/me/c.toml"), "/home/me/c.toml: KATAPLUG_CONF_FILE=/home/me/c.toml: the shim accepts only files under /etc/kataplug/, /opt/kataplug/, /usr/share/kataplug/; use the runtime options ConfigPath for other locations" },
        { new(ConfigConsumer.Shim, EnvironmentConfigFile: "/etc/kataplug/../shadow"), "/etc/kataplug/../shadow: KATAPLUG_CONF_FILE=/etc/kataplug/../shadow: the shim accepts only files under /etc/kataplug/, /opt/kataplug/, /usr/share/kataplug/; use the runtime options ConfigPath for other locations" },
        { new(ConfigConsumer.Shim), "/etc/kataplug/configuration.toml: no configuration file: set options ConfigPath in the containerd runtime entry, or create /etc/kataplug/configuration.toml (`kataplug config check` prints the defaults)" },
        { new(ConfigConsumer.Cli, ExplicitFile: "/nope.toml"), "/nope.toml: file not found; it is named by FILE argument: create it or fix the path" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_named_source_that_is_missing_or_not_allowed_is_an_error_not_a_fallback(ConfigSelectionInputs inputs, string expected)
    {
        var e = Should.Throw<ConfigurationException>(() => ConfigFileResolver.ResolveBase(inputs, Existing("conf.toml", "/home/me/c.toml", "/shadow")));
        e.Problems.Single().ToString().ShouldBe(expected);
    }

    private static KataplugConfiguration BaseWith(string enableAnnotations) =>
        TestConfig.Load($"[hypervisor.qemu]\nenable_annotations = {enableAnnotations}\n");

    [Fact]
    public void The_config_path_annotation_is_honoured_only_with_the_exact_entry()
    {
        var annotations = TestConfig.Annotations((KataAnnotations.ConfigPath, "/etc/kataplug/pod.toml"));
        var choice = ConfigFileResolver.ResolveAnnotation(annotations, BaseWith("[\"config_path\"]"), Existing("/etc/kataplug/pod.toml"));
        choice.ShouldNotBeNull().Kind.ShouldBe(ConfigSourceKind.Annotation);
        choice.Path.ShouldBe("/etc/kataplug/pod.toml");

        var e = Should.Throw<ConfigurationException>(() => ConfigFileResolver.ResolveAnnotation(annotations, BaseWith("[\".*\"]"), Existing("/etc/kataplug/pod.toml")));
        e.Problems.Single().ToString().ShouldBe(
            "annotation io.katacontainers.config_path: io.katacontainers.config_path = \"/etc/kataplug/pod.toml\": annotation not enabled: a pod may choose the configuration file "
            + "only if [hypervisor.qemu] enable_annotations in test.toml contains the exact entry \"config_path\" (now [\".*\"], test.toml:2:22); remove the annotation or add the entry");
    }

    [Fact]
    public void No_config_path_annotation_means_no_override()
    {
        ConfigFileResolver.ResolveAnnotation(TestConfig.Annotations(("other", "x")), BaseWith("[\"config_path\"]"), Existing()).ShouldBeNull();
        ConfigFileResolver.ResolveAnnotation(null, BaseWith("[\"config_path\"]"), Existing()).ShouldBeNull();
    }

    [Fact]
    public void An_allowed_config_path_annotation_must_name_an_existing_absolute_file()
    {
        var allow = BaseWith("[\"config_path\"]");
        Should.Throw<ConfigurationException>(() => ConfigFileResolver.ResolveAnnotation(
            TestConfig.Annotations((KataAnnotations.ConfigPath, "pod.toml")), allow, Existing("pod.toml"))).Message.ShouldContain("not an absolute path");
        Should.Throw<ConfigurationException>(() => ConfigFileResolver.ResolveAnnotation(
            TestConfig.Annotations((KataAnnotations.ConfigPath, "/x.toml")), allow, Existing())).Message.ShouldContain("file not found");
    }
}
