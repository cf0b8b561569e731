using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;

namespace Shim.Guest.Tests;

public class ContainerResourcesTests
{
    private static Any ResourcesAny(string json, string typeUrl = ContainerResources.TypeUrl) =>
        new() { TypeUrl = typeUrl, Value = ByteString.CopyFromUtf8(json) };

    [Fact]
    public void Update_resources_become_agent_resources_with_the_vcpus_the_limit_needs()
    {
        var update = ContainerResources.FromAny(ResourcesAny("""
            {"memory": {"limit": 536870912, "swap": 536870912},
             "cpu": {"shares": 1024, "quota": 250000, "period": 100000, "cpus": "0-1", "mems": "0"},
             "pids": {"limit": 64},
             "blockIO": {"weight": 10}}
            """));

        update.Resources.Memory.ShouldBe(new LinuxMemory { Limit = 536870912, Swap = 536870912 });
        update.Resources.CPU.ShouldBe(new LinuxCPU { Shares = 1024, Quota = 250000, Period = 100000 });
        update.Resources.Pids.ShouldBe(new LinuxPids { Limit = 64 });
        update.RequiredVcpus.ShouldBe(3u);
    }

    [Fact]
    public void Ctr_memory_only_update_needs_no_vcpus()
    {
        var update = ContainerResources.FromAny(ResourcesAny("""{"memory": {"limit": 1048576}}"""));

        update.Resources.CPU.ShouldBeNull();
        update.RequiredVcpus.ShouldBe(0u);
    }

    [Theory]
    [InlineData(100000L, 100000UL, 1u)]
    [InlineData(100001L, 100000UL, 2u)]
    [InlineData(150000L, 100000UL, 2u)]
    [InlineData(50000L, 100000UL, 1u)]
    [InlineData(400000L, 100000UL, 4u)]
    [InlineData(-1L, 100000UL, 0u)]
    [InlineData(0L, 100000UL, 0u)]
    [InlineData(100000L, 0UL, 0u)]
    [InlineData(long.MaxValue, 1UL, uint.MaxValue)]
    public void Vcpus_are_ceil_quota_over_period_when_both_are_positive(long quota, ulong period, uint vcpus) =>
        ContainerResources.VcpusFor(new LinuxCPU { Quota = quota, Period = period }).ShouldBe(vcpus);

    [Fact]
    public void No_cpu_section_needs_no_vcpus() => ContainerResources.VcpusFor(null).ShouldBe(0u);

    [Fact]
    public void Another_type_url_is_refused()
    {
        var ex = Should.Throw<ArgumentException>(() => ContainerResources.FromAny(ResourcesAny("{}", "types.containerd.io/opencontainers/runtime-spec/1/Process")));

        ex.Message.ShouldContain("runtime-spec/1/Process'");
        ex.Message.ShouldContain(ContainerResources.TypeUrl);
    }

    [Fact]
    public void A_bad_field_is_named()
    {
        var ex = Should.Throw<InvalidDataException>(() => ContainerResources.FromAny(ResourcesAny("""{"cpu": {"period": -5}}""")));

        ex.Message.ShouldContain("update resources");
        ex.Message.ShouldContain("'cpu.period'");
        ex.Message.ShouldContain("unsigned 64-bit");
    }
}
