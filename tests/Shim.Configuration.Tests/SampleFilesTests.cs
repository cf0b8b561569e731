using System.Text;
using Shim.Toml;

namespace Shim.Configuration.Tests;

public class SampleFilesTests
{
    private static readonly string Root = TestConfig.RepoRoot();

    [Fact]
    public void The_sample_configuration_is_valid_and_has_the_documented_choices()
    {
        var path = Path.Combine(Root, "config", "configuration.toml");
        var c = ConfigurationLoader.Load(File.ReadAllBytes(path), path);
        c.Hypervisor.MachineType.Value.ShouldBe("q35");
        c.Hypervisor.ColdPlugVfio.Value.ShouldBe(PciePortType.RootPort);
        c.Hypervisor.HotPlugVfio.Value.ShouldBe(PciePortType.NoPort);
        c.Hypervisor.PcieRootPort.Value.ShouldBeInRange(1, 16);
        c.Hypervisor.Accelerator.Value.ShouldBe(QemuAccelerator.Tcg);
        c.Hypervisor.Path.Value.ShouldBe("/usr/bin/qemu-system-x86_64");
        c.Plugins.Enabled.Value.ShouldBe(["physical-vf", "vfio", "vhost-user"]);
        c.IgnoredKeys.ShouldBeEmpty(); // every key in the sample is one kataplug uses
    }

    [Fact]
    public void The_embedded_default_is_the_sample_file()
    {
        EmbeddedDefaultConfiguration.ReadBytes().ShouldBe(File.ReadAllBytes(Path.Combine(Root, "config", "configuration.toml")));
    }

    [Fact]
    public void The_sample_documents_every_key_it_sets()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "config", "configuration.toml"));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 || lines[i].StartsWith('#') || lines[i].StartsWith('[') || !lines[i].Contains('=')) continue;
            var previous = lines.Take(i).Reverse().TakeWhile(l => !l.StartsWith('[') && l.Length > 0).ToList();
            var documented = previous.Any(l => l.StartsWith('#')) || lines.Take(i).Reverse().TakeWhile(l => l.Length > 0).Any(l => l.StartsWith('#'));
            documented.ShouldBeTrue($"line {i + 1} ({lines[i]}) has no comment above it");
        }
    }

    [Fact]
    public void The_containerd_runtime_entry_names_the_runtime_type_and_config_path()
    {
        var path = Path.Combine(Root, "config", "containerd", "runtime-kataplug.toml");
        var root = TomlParser.Parse(File.ReadAllBytes(path), path);
        var runtime = (TomlTable)((TomlTable)((TomlTable)((TomlTable)((TomlTable)root["plugins"])["io.containerd.grpc.v1.cri"])["containerd"])["runtimes"])["kataplug"];
        ((TomlValue)runtime["runtime_type"]).Value.ShouldBe("io.containerd.kataplug.v2");
        ((TomlValue)((TomlTable)runtime["options"])["ConfigPath"]).Value.ShouldBe(ConfigFileResolver.SystemDefaultPath);
        ((TomlArray)runtime["pod_annotations"]).Select(v => ((TomlValue)v).Value).ShouldContain("io.katacontainers.*");
        ((TomlValue)runtime["privileged_without_host_devices"]).Value.ShouldBe(true);
    }

    [Fact]
    public void The_runtime_class_uses_the_kataplug_handler()
    {
        var yaml = File.ReadAllText(Path.Combine(Root, "config", "k8s", "runtimeclass.yaml"), Encoding.UTF8);
        yaml.ShouldContain("kind: RuntimeClass");
        yaml.ShouldContain("apiVersion: node.k8s.io/v1");
        yaml.Split('\n').ShouldContain("handler: kataplug");
    }
}
