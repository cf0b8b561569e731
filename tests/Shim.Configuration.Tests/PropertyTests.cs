using System.Globalization;
using FsCheck.Xunit;
using Shim.Configuration.Loading;
using Shim.Toml;

namespace Shim.Configuration.Tests;

public class PropertyTests
{
    [Property(MaxTest = 300)]
    public bool Pcie_root_port_is_accepted_exactly_in_range_and_refusals_quote_the_value(long n)
    {
        var toml = $"[hypervisor.qemu]\npcie_root_port = {n.ToString(CultureInfo.InvariantCulture)}\n";
        if (n is >= 0 and <= 16) return TestConfig.Load(toml).Hypervisor.PcieRootPort.Value == n;
        var problems = Should.Throw<ConfigurationException>(() => TestConfig.Load(toml)).Problems;
        return problems.Count == 1 && problems[0].ToString().StartsWith($"test.toml:2:18: [hypervisor.qemu] pcie_root_port = {n.ToString(CultureInfo.InvariantCulture)}: must be between 0 and 16", StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public bool Any_annotation_text_is_either_applied_or_reported_never_thrown_otherwise(string? text)
    {
        text ??= "";
        var annotations = TestConfig.Annotations((KataAnnotations.HypervisorPrefix + "default_vcpus", text));
        try
        {
            var vcpus = TestConfig.Load("[hypervisor.qemu]\nenable_annotations = [\".*\"]\n", annotations).Hypervisor.DefaultVcpus;
            return vcpus.Origin.Source == KataAnnotations.HypervisorPrefix + "default_vcpus" && vcpus.Value is >= 1 and <= 288;
        }
        catch (ConfigurationException e)
        {
            return e.Problems.Count == 1 && e.Problems[0].Where.Kind == OriginKind.Annotation && e.Problems[0].Key == "default_vcpus";
        }
    }

    [Property(MaxTest = 300)]
    public bool Quoted_strings_read_back_as_the_same_string(string? s)
    {
        if (s is null || s.Any(char.IsSurrogate)) return true; // TOML holds Unicode scalar values only
        var table = TomlParser.Parse($"k = {TomlText.Quote(s)}\n", "p.toml");
        return (string)((TomlValue)table["k"]).Value == s;
    }

    [Property(MaxTest = 300)]
    public bool A_glob_without_wildcards_matches_only_itself(string? name, string? other)
    {
        if (string.IsNullOrEmpty(name) || name.Any(c => c is '*' or '?' or '[' or '/' || char.IsWhiteSpace(c))) return true;
        var glob = InterfaceNameGlob.TryCreate(name, out _)!;
        return glob.IsMatch(name) && (other is null || other == name || !glob.IsMatch(other));
    }
}
