namespace Shim.Configuration.Tests;

public class ConfigurationSelectorTests
{
    private const string Etc = ConfigFileResolver.SystemDefaultPath;

    [Fact]
    public void The_shim_loads_the_runtime_options_file_with_the_pod_annotations()
    {
        var fs = new FakeFileSystem(new()
        {
            ["/srv/kataplug.toml"] = "[hypervisor.qemu]\nenable_annotations = [\"pcie_root_port\"]\npcie_root_port = 2\n",
            [Etc] = "[hypervisor.qemu]\npcie_root_port = 16\n",
        });
        var loaded = ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Shim, RuntimeOptionsConfigPath: "/srv/kataplug.toml",
            Annotations: TestConfig.Annotations((KataAnnotations.HypervisorPrefix + "pcie_root_port", "6"))), fs);
        loaded.Source.Kind.ShouldBe(ConfigSourceKind.RuntimeOptions);
        loaded.Configuration.SourceName.ShouldBe("/srv/kataplug.toml");
        loaded.Configuration.Hypervisor.PcieRootPort.Value.ShouldBe(6);
        fs.Reads.ShouldBe(["/srv/kataplug.toml"]);
    }

    [Fact]
    public void An_allowed_config_path_annotation_switches_files_and_the_pod_file_gates_the_other_annotations()
    {
        var fs = new FakeFileSystem(new()
        {
            [Etc] = "[hypervisor.qemu]\nenable_annotations = [\"config_path\"]\n",
            ["/etc/kataplug/gpu.toml"] = "[hypervisor.qemu]\nenable_annotations = [\"pcie_root_port\"]\ncold_plug_vfio = \"root-port\"\n",
        });
        var loaded = ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Shim, Annotations: TestConfig.Annotations(
            (KataAnnotations.ConfigPath, "/etc/kataplug/gpu.toml"), (KataAnnotations.HypervisorPrefix + "pcie_root_port", "8"))), fs);
        loaded.Source.ShouldBe(new ConfigFileChoice(ConfigSourceKind.Annotation, "/etc/kataplug/gpu.toml", "annotation io.katacontainers.config_path"));
        loaded.Configuration.Hypervisor.ColdPlugVfio.Value.ShouldBe(PciePortType.RootPort);
        loaded.Configuration.Hypervisor.PcieRootPort.Value.ShouldBe(8);
        fs.Reads.ShouldBe([Etc, "/etc/kataplug/gpu.toml"]);
    }

    [Fact]
    public void A_refused_config_path_annotation_stops_sandbox_creation()
    {
        var fs = new FakeFileSystem(new() { [Etc] = "", ["/tmp/evil.toml"] = "" });
        var e = Should.Throw<ConfigurationException>(() => ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Shim,
            Annotations: TestConfig.Annotations((KataAnnotations.ConfigPath, "/tmp/evil.toml"))), fs));
        e.Problems.Single().Message.ShouldContain("enable_annotations");
        fs.Reads.ShouldBe([Etc]);
    }

    [Fact]
    public void The_CLI_falls_back_to_the_embedded_default()
    {
        var loaded = ConfigurationSelector.Load(new ConfigSelectionInputs(ConfigConsumer.Cli), new FakeFileSystem([]));
        loaded.Source.Kind.ShouldBe(ConfigSourceKind.EmbeddedDefault);
        loaded.Configuration.SourceName.ShouldBe(EmbeddedDefaultConfiguration.SourceName);
        loaded.Configuration.Hypervisor.ColdPlugVfio.Value.ShouldBe(PciePortType.RootPort);
        loaded.Configuration.Hypervisor.ColdPlugVfio.Origin.Source.ShouldBe(EmbeddedDefaultConfiguration.SourceName);
    }

    [Fact]
    public void An_unreadable_file_is_a_problem_naming_the_file()
    {
        var e = Should.Throw<ConfigurationException>(() => ConfigurationSelector.Load(
            new ConfigSelectionInputs(ConfigConsumer.Shim), new ThrowingFileSystem()));
        e.Problems.Single().ToString().ShouldBe($"{Etc}: cannot read the configuration file (default path): Permission denied");
    }

    private sealed class ThrowingFileSystem : IConfigurationFileSystem
    {
        public bool FileExists(string path) => true;
        public byte[] ReadAllBytes(string path) => throw new UnauthorizedAccessException("Permission denied");
    }
}
