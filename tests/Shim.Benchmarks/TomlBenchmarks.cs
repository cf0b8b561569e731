using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Shim.Toml;

namespace Shim.Benchmarks;

/// <summary>Shim.Toml parse throughput (MB/s column = input bytes / mean time) and allocation per input byte,
/// on a generated 1 MiB document and on the project's configuration.toml (or a Kata-like sample).</summary>
[MemoryDiagnoser]
[Config(typeof(TomlBenchmarkConfig))]
public class TomlBenchmarks
{
    private byte[] _utf8 = [];
    private string _text = "";

    [Params(TomlBenchmarkInputs.Generated, TomlBenchmarkInputs.Configuration)]
    public string Input { get; set; } = TomlBenchmarkInputs.Generated;

    [GlobalSetup]
    public void Setup()
    {
        _utf8 = TomlBenchmarkInputs.Get(Input);
        _text = Encoding.UTF8.GetString(_utf8);
    }

    [Benchmark(Baseline = true)]
    public TomlTable ParseUtf8() => TomlParser.Parse(_utf8, Input);

    [Benchmark]
    public TomlTable ParseString() => TomlParser.Parse(_text, Input);

    [Benchmark]
    public string ParseAndWriteTaggedJson() => TomlTaggedJson.Write(TomlParser.Parse(_utf8, Input));
}

public sealed class TomlBenchmarkConfig : ManualConfig
{
    public TomlBenchmarkConfig()
    {
        AddColumn(new TomlInputColumn("MB/s", (summary, benchmark, bytes) =>
            summary[benchmark]?.ResultStatistics is { } stats ? (bytes / 1e6 / (stats.Mean / 1e9)).ToString("F1", CultureInfo.InvariantCulture) : "-"));
        AddColumn(new TomlInputColumn("Alloc B/input B", (summary, benchmark, bytes) =>
            summary[benchmark]?.GcStats is { } gc && gc.GetBytesAllocatedPerOperation(benchmark) is { } allocated
                ? (allocated / (double)bytes).ToString("F2", CultureInfo.InvariantCulture)
                : "-"));
        AddColumn(new TomlInputColumn("Input bytes", (_, _, bytes) => bytes.ToString(CultureInfo.InvariantCulture)));
    }
}

/// <summary>A column computed from a benchmark's result and the size of its input document.</summary>
public sealed class TomlInputColumn(string name, Func<Summary, BenchmarkCase, long, string> value) : IColumn
{
    public string Id => "Toml" + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name} for the TOML input";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var input = benchmarkCase.Parameters["Input"] as string;
        return input is null ? "-" : value(summary, benchmarkCase, TomlBenchmarkInputs.Get(input).LongLength);
    }
}

/// <summary>The benchmark documents, built deterministically so host and benchmark processes agree on sizes.</summary>
public static class TomlBenchmarkInputs
{
    public const string Generated = "generated-1MiB";
    public const string Configuration = "configuration.toml";

    public static byte[] Get(string name) => name switch
    {
        Generated => GeneratedDocument.Value,
        Configuration => ConfigurationDocument.Value,
        _ => throw new ArgumentException($"unknown TOML benchmark input '{name}'; use {Generated} or {Configuration}", nameof(name)),
    };

    private static readonly Lazy<byte[]> GeneratedDocument = new(() => Generate(1 << 20));
    private static readonly Lazy<byte[]> ConfigurationDocument = new(LoadConfiguration);

    /// <summary>A mix of what real files hold: headers, arrays of tables, comments, strings (some escaped,
    /// some multi-line), integers, floats, booleans, dates and inline tables; about <paramref name="size"/> bytes.</summary>
    public static byte[] Generate(int size)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(size + 4096);
        sb.Append("# generated benchmark document\ntitle = \"TOML benchmark\"\nversion = 3\n\n");
        for (var i = 0; sb.Length < size; i++)
        {
            sb.Append(inv, $"[server.node{i}]\n");
            sb.Append(inv, $"host = \"10.{i % 256}.{i / 256 % 256}.1\"  # address\n");
            sb.Append(inv, $"port = {8000 + i % 1000}\n");
            sb.Append(inv, $"weight = {i * 0.37:R}\n");
            sb.Append("enabled = ").Append(i % 3 == 0 ? "true" : "false").Append('\n');
            sb.Append(inv, $"started = 2024-{1 + i % 12:D2}-{1 + i % 28:D2}T{i % 24:D2}:{i % 60:D2}:07.{i % 1000:D3}Z\n");
            sb.Append(inv, $"maintenance = {i % 24:D2}:30:00\n");
            sb.Append(inv, $"labels = [\"zone-{i % 7}\", \"rack-{i % 13}\", 'tier\\{i % 3}']\n");
            sb.Append(inv, $"limits = {{ cpu = {i % 64}, memory = \"{i % 32}Gi\", burst.enabled = true }}\n");
            sb.Append(inv, $"counters = [ {i}, 0x{i:x}, 0o{Convert.ToString(i % 512, 8)}, 1_000_{i % 1000:D3}, -{i % 99} ]\n");
            if (i % 4 == 0)
                sb.Append(inv, $"description = \"\"\"\nNode {i} serves \\\"traffic\\\"\\tfor tenant \\u00e9t\\u00e9.\nSecond line.\"\"\"\n");
            sb.Append(inv, $"\n[[server.node{i}.disk]]\npath = \"/dev/vd{(char)('a' + i % 26)}\"\nsize_gib = {1 + i % 500}\nssd = {(i % 2 == 0 ? "true" : "false")}\n");
            sb.Append(inv, $"[[server.node{i}.disk]]\npath = '/dev/nvme{i % 8}n1'\nsize_gib = {2.5e2 + i:R}\n\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] LoadConfiguration()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "configuration.toml");
            if (File.Exists(Path.Combine(dir.FullName, "Shim.sln")) && File.Exists(candidate))
                return File.ReadAllBytes(candidate);
        }
        return Encoding.UTF8.GetBytes(KataLikeSample);
    }

    // Fallback when config/configuration.toml is absent: the shape of a Kata QEMU configuration.
    private const string KataLikeSample = """
        [hypervisor.qemu]
        path = "/usr/bin/qemu-system-x86_64"
        kernel = "/usr/share/kata-containers/vmlinux.container"
        image = "/usr/share/kata-containers/kata-containers.img"
        machine_type = "q35"
        kernel_params = ""
        default_vcpus = 1
        default_maxvcpus = 0
        default_memory = 2048
        memory_slots = 10
        default_bridges = 1
        enable_iommu = false
        hotplug_vfio_on_root_bus = false
        pcie_root_port = 2
        valid_hypervisor_paths = ["/usr/bin/qemu-system-x86_64"]
        block_device_driver = "virtio-scsi"
        shared_fs = "virtio-fs"
        virtio_fs_daemon = "/usr/libexec/virtiofsd"
        virtio_fs_extra_args = ["--thread-pool-size=1", "-o", "announce_submounts"]

        [agent.kata]
        dial_timeout = 45
        kernel_modules = []

        [runtime]
        internetworking_model = "tcfilter"
        disable_guest_seccomp = true
        sandbox_cgroup_only = false
        static_sandbox_resource_mgmt = false
        enable_pprof = false
        """;
}
