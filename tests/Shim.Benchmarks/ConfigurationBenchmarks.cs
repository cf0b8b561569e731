using BenchmarkDotNet.Attributes;
using Shim.Configuration;
using Shim.Toml;

namespace Shim.Benchmarks;

/// <summary>Shim.Configuration: cost of turning the sample configuration.toml (+ pod annotations) into the
/// effective configuration, once per sandbox creation. Validate = schema + cross checks on a parsed document.</summary>
[MemoryDiagnoser]
public class ConfigurationBenchmarks
{
    private byte[] _sample = [];
    private TomlTable _parsed = null!;
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal)
    {
        ["io.katacontainers.config.hypervisor.kernel_params"] = "quiet",
        ["io.katacontainers.config.hypervisor.enable_iommu"] = "false",
        ["io.kubernetes.cri.sandbox-name"] = "pod-0",
        ["io.kubernetes.cri.sandbox-namespace"] = "default",
    };

    [GlobalSetup]
    public void Setup()
    {
        _sample = EmbeddedDefaultConfiguration.ReadBytes();
        _parsed = TomlParser.Parse(_sample, "configuration.toml");
    }

    [Benchmark(Baseline = true)]
    public KataplugConfiguration ParseAndLoad() => ConfigurationLoader.Load(_sample, "configuration.toml");

    [Benchmark]
    public KataplugConfiguration ParseAndLoadWithAnnotations() => ConfigurationLoader.Load(_sample, "configuration.toml", _annotations);

    [Benchmark]
    public KataplugConfiguration ValidateParsed() => ConfigurationLoader.Load(_parsed, "configuration.toml");

    [Benchmark]
    public string FormatEffective() => ConfigurationDescription.Format(ConfigurationLoader.Load(_parsed, "configuration.toml"));
}
