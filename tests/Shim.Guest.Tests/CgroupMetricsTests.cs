using Google.Protobuf;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;
using Shim.Sandbox.Guest.Cgroups;

namespace Shim.Guest.Tests;

public class CgroupMetricsTests
{
    private static StatsContainerResponse Stats()
    {
        var usage = new CpuUsage { TotalUsage = 9_000_000, UsageInKernelmode = 2_000_000, UsageInUsermode = 7_000_000 };
        usage.PercpuUsage.AddRange([4_000_000, 5_000_000]);
        var memory = new MemoryStats
        {
            Cache = 4096,
            Usage = new MemoryData { Usage = 1_048_576, MaxUsage = 2_097_152, Failcnt = 1, Limit = 268_435_456 },
            SwapUsage = new MemoryData { Usage = 5 },
            UseHierarchy = true,
        };
        memory.Stats.Add(new Dictionary<string, ulong>
        {
            ["rss"] = 900_000, ["rss_huge"] = 1, ["mapped_file"] = 2, ["pgfault"] = 33, ["pgmajfault"] = 3, ["pgpgin"] = 7,
            ["hierarchical_memsw_limit"] = 11, ["total_rss"] = 900_001, ["total_pgpgout"] = 8, ["total_unevictable"] = 9,
        });
        var stats = new StatsContainerResponse
        {
            CgroupStats = new CgroupStats
            {
                CpuStats = new CpuStats { CpuUsage = usage, ThrottlingData = new ThrottlingData { Periods = 10, ThrottledPeriods = 2, ThrottledTime = 300 } },
                MemoryStats = memory,
                PidsStats = new PidsStats { Current = 3, Limit = 64 },
                HugetlbStats = { ["2MB"] = new HugetlbStats { Usage = 1, MaxUsage = 2, Failcnt = 3 }, ["1GB"] = new HugetlbStats { Usage = 4 } },
            },
        };
        stats.NetworkStats.Add(new NetworkStats { Name = "eth0", RxBytes = 100, RxPackets = 2, TxBytes = 50, TxPackets = 1, RxDropped = 7, TxErrors = 8 });
        return stats;
    }

    [Fact]
    public void Agent_stats_become_cgroups_v1_metrics()
    {
        var metrics = CgroupMetrics.Convert(Stats());

        metrics.Pids.ShouldBe(new PidsStat { Current = 3, Limit = 64 });
        metrics.Cpu.Usage.Total.ShouldBe(9_000_000ul);
        metrics.Cpu.Usage.Kernel.ShouldBe(2_000_000ul);
        metrics.Cpu.Usage.User.ShouldBe(7_000_000ul);
        metrics.Cpu.Usage.PerCpu.ShouldBe([4_000_000ul, 5_000_000ul]);
        metrics.Cpu.Throttling.ShouldBe(new Throttle { Periods = 10, ThrottledPeriods = 2, ThrottledTime = 300 });
        metrics.Memory.Cache.ShouldBe(4096ul);
        metrics.Memory.Usage.ShouldBe(new MemoryEntry { Usage = 1_048_576, Max = 2_097_152, Failcnt = 1, Limit = 268_435_456 });
        metrics.Memory.Swap.ShouldBe(new MemoryEntry { Usage = 5 });
        metrics.Memory.Kernel.ShouldBeNull();
        metrics.Memory.Rss.ShouldBe(900_000ul);
        metrics.Memory.RssHuge.ShouldBe(1ul);
        metrics.Memory.MappedFile.ShouldBe(2ul);
        metrics.Memory.PgFault.ShouldBe(33ul);
        metrics.Memory.PgMajFault.ShouldBe(3ul);
        metrics.Memory.PgPgIn.ShouldBe(7ul);
        metrics.Memory.HierarchicalSwapLimit.ShouldBe(11ul);
        metrics.Memory.TotalRss.ShouldBe(900_001ul);
        metrics.Memory.TotalPgPgOut.ShouldBe(8ul);
        metrics.Memory.TotalUnevictable.ShouldBe(9ul);
        metrics.Hugetlb.ShouldBe([
            new HugetlbStat { Pagesize = "1GB", Usage = 4 },
            new HugetlbStat { Pagesize = "2MB", Usage = 1, Max = 2, Failcnt = 3 },
        ]);
        metrics.Network.ShouldBe([
            new NetworkStat { Name = "eth0", RxBytes = 100, RxPackets = 2, TxBytes = 50, TxPackets = 1, RxDropped = 7, TxErrors = 8 },
        ]);
    }

    [Fact]
    public void Cache_falls_back_to_the_memory_stat_counter()
    {
        var stats = new StatsContainerResponse { CgroupStats = new CgroupStats { MemoryStats = new MemoryStats { Stats = { ["cache"] = 77 } } } };

        CgroupMetrics.Convert(stats).Memory.Cache.ShouldBe(77ul);
    }

    [Fact]
    public void An_empty_reply_gives_empty_metrics()
    {
        var metrics = CgroupMetrics.Convert(new StatsContainerResponse());

        metrics.ShouldBe(new Metrics());
        metrics.CalculateSize().ShouldBe(0);
    }

    [Fact]
    public void The_any_carries_the_bare_type_name_ctr_looks_up()
    {
        var any = CgroupMetrics.ToAny(Stats());

        any.TypeUrl.ShouldBe("io.containerd.cgroups.v1.Metrics");
        Metrics.Parser.ParseFrom(any.Value).ShouldBe(CgroupMetrics.Convert(Stats()));
    }

    // Field numbers of containerd/cgroups stats/v1/metrics.proto, checked on the wire rather than through our own
    // declaration, so a renumbering in the .proto cannot pass unnoticed.
    [Fact]
    public void Wire_field_numbers_are_containerds()
    {
        var bytes = CgroupMetrics.Convert(Stats()).ToByteArray();

        var top = Fields(bytes);
        top.Keys.ShouldBe([1, 2, 3, 4, 7], ignoreOrder: true); // hugetlb, pids, cpu, memory, network
        Varints(top[2][0]).ShouldBe(new Dictionary<int, ulong> { [1] = 3, [2] = 64 }); // pids current, limit
        var cpu = Fields(top[3][0]);
        cpu.Keys.ShouldBe([1, 2], ignoreOrder: true); // usage, throttling
        Varints(cpu[1][0]).ShouldBe(new Dictionary<int, ulong> { [1] = 9_000_000, [2] = 2_000_000, [3] = 7_000_000 }); // total, kernel, user
        Fields(cpu[1][0]).ShouldContainKey(4); // per_cpu (packed)
        Varints(cpu[2][0]).ShouldBe(new Dictionary<int, ulong> { [1] = 10, [2] = 2, [3] = 300 });
        var memory = Fields(top[4][0]);
        Varints(top[4][0]).ShouldContainKeyAndValue(1, 4096ul); // cache
        Varints(top[4][0]).ShouldContainKeyAndValue(2, 900_000ul); // rss
        Varints(top[4][0]).ShouldContainKeyAndValue(9, 33ul); // pg_fault
        Varints(top[4][0]).ShouldContainKeyAndValue(17, 11ul); // hierarchical_swap_limit
        Varints(top[4][0]).ShouldContainKeyAndValue(19, 900_001ul); // total_rss
        Varints(memory[33][0]).ShouldBe(new Dictionary<int, ulong> { [1] = 268_435_456, [2] = 1_048_576, [3] = 2_097_152, [4] = 1 }); // usage: limit, usage, max, failcnt
        memory.ShouldContainKey(34); // swap
        Fields(top[1][1]).ShouldContainKey(4); // hugetlb pagesize
        Varints(top[1][1]).ShouldBe(new Dictionary<int, ulong> { [1] = 1, [2] = 2, [3] = 3 });
        Varints(top[7][0]).ShouldBe(new Dictionary<int, ulong> { [2] = 100, [3] = 2, [5] = 7, [6] = 50, [7] = 1, [8] = 8 });
    }

    private static Dictionary<int, List<byte[]>> Fields(byte[] message)
    {
        var result = new Dictionary<int, List<byte[]>>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                if (!result.TryGetValue(number, out var list)) result[number] = list = [];
                list.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return result;
    }

    private static Dictionary<int, ulong> Varints(byte[] message)
    {
        var result = new Dictionary<int, ulong>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint) result[WireFormat.GetTagFieldNumber(tag)] = input.ReadUInt64();
            else input.SkipLastField();
        }
        return result;
    }
}
