using System.Globalization;

namespace Shim.Configuration.Tests;

/// <summary>Every integer key: both bounds accepted, one past each bound refused with the range in the message.</summary>
public class RangeBoundaryTests
{
    public static TheoryData<string, string, int, int> IntegerKeys => new()
    {
        { "hypervisor.qemu", "default_vcpus", 0, 288 },
        { "hypervisor.qemu", "default_maxvcpus", 0, 288 },
        { "hypervisor.qemu", "default_memory", 0, 1 << 20 },
        { "hypervisor.qemu", "memory_slots", 0, 256 },
        { "hypervisor.qemu", "default_bridges", 0, 5 },
        { "hypervisor.qemu", "pcie_root_port", 0, 16 },
        { "hypervisor.qemu", "pcie_switch_port", 0, 16 },
        { "agent.kata", "dial_timeout", 1, 3600 },
    };

    private static string Toml(string section, string key, long value) =>
        $"[{section}]\n{key} = {value.ToString(CultureInfo.InvariantCulture)}\n";

    [Theory]
    [MemberData(nameof(IntegerKeys))]
    public void Bounds_are_inclusive(string section, string key, int min, int max)
    {
        Should.NotThrow(() => TestConfig.Load(Toml(section, key, min)));
        Should.NotThrow(() => TestConfig.Load(Toml(section, key, max)));
    }

    [Theory]
    [MemberData(nameof(IntegerKeys))]
    public void One_past_either_bound_is_refused_with_the_range(string section, string key, int min, int max)
    {
        foreach (var value in new long[] { min - 1L, max + 1L, long.MaxValue })
        {
            var problem = TestConfig.SingleProblem(Toml(section, key, value));
            problem.ShouldStartWith($"test.toml:2:{key.Length + 4}: [{section}] {key} = {value.ToString(CultureInfo.InvariantCulture)}: must be between {min} and {max}");
        }
    }

    [Theory]
    [MemberData(nameof(IntegerKeys))]
    public void Strings_are_not_numbers(string section, string key, int min, int max)
    {
        TestConfig.SingleProblem($"[{section}]\n{key} = \"{min}\"\n")
            .ShouldBe($"test.toml:2:{key.Length + 4}: [{section}] {key} = \"{min}\": must be an integer between {min} and {max}, not a string");
    }
}
