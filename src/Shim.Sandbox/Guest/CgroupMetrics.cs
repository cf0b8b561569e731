using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;
using Shim.Containerd.Protos;
using Shim.Sandbox.Guest.Cgroups;

namespace Shim.Sandbox.Guest;

/// <summary>
/// The agent's <c>StatsContainerResponse</c> → containerd's cgroups v1 <c>Metrics</c> for the Stats reply, field for
/// field as Kata's shim fills it (pids, CPU usage and throttling, memory entries and memory.stat counters, hugetlb,
/// guest interface counters). Block I/O is not carried: the agent's per-device entries are not declared.
/// </summary>
public static class CgroupMetrics
{
    /// <summary>The Stats reply's <c>stats</c>: Metrics under its bare full name <c>io.containerd.cgroups.v1.Metrics</c>.</summary>
    public static Any ToAny(StatsContainerResponse stats) => ContainerdAny.Pack(Convert(stats));

    public static Metrics Convert(StatsContainerResponse stats)
    {
        var metrics = new Metrics();
        if (stats.CgroupStats is { } cgroup)
        {
            if (cgroup.PidsStats is { } pids)
                metrics.Pids = new PidsStat { Current = pids.Current, Limit = pids.Limit };
            if (cgroup.CpuStats is { } cpu)
                metrics.Cpu = Cpu(cpu);
            if (cgroup.MemoryStats is { } memory)
                metrics.Memory = Memory(memory);
            metrics.Hugetlb.AddRange(cgroup.HugetlbStats.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => new HugetlbStat
            {
                Pagesize = h.Key, Usage = h.Value.Usage, Max = h.Value.MaxUsage, Failcnt = h.Value.Failcnt,
            }));
        }
        metrics.Network.AddRange(stats.NetworkStats.Select(n => new NetworkStat
        {
            Name = n.Name,
            RxBytes = n.RxBytes, RxPackets = n.RxPackets, RxErrors = n.RxErrors, RxDropped = n.RxDropped,
            TxBytes = n.TxBytes, TxPackets = n.TxPackets, TxErrors = n.TxErrors, TxDropped = n.TxDropped,
        }));
        return metrics;
    }

    private static CPUStat Cpu(CpuStats cpu)
    {
        var result = new CPUStat();
        if (cpu.CpuUsage is { } usage)
        {
            result.Usage = new CPUUsage { Total = usage.TotalUsage, Kernel = usage.UsageInKernelmode, User = usage.UsageInUsermode };
            result.Usage.PerCpu.AddRange(usage.PercpuUsage);
        }
        if (cpu.ThrottlingData is { } throttling)
        {
            result.Throttling = new Throttle
            {
                Periods = throttling.Periods, ThrottledPeriods = throttling.ThrottledPeriods, ThrottledTime = throttling.ThrottledTime,
            };
        }
        return result;
    }

    private static MemoryStat Memory(MemoryStats memory)
    {
        var s = memory.Stats;
        ulong Stat(string key) => s.TryGetValue(key, out var v) ? v : 0;
        // Keys are the cgroup v1 memory.stat names, as containerd's own collector maps them.
        return new MemoryStat
        {
            Cache = memory.Cache != 0 ? memory.Cache : Stat("cache"),
            Usage = Entry(memory.Usage),
            Swap = Entry(memory.SwapUsage),
            Kernel = Entry(memory.KernelUsage),
            Rss = Stat("rss"),
            RssHuge = Stat("rss_huge"),
            MappedFile = Stat("mapped_file"),
            Dirty = Stat("dirty"),
            Writeback = Stat("writeback"),
            PgPgIn = Stat("pgpgin"),
            PgPgOut = Stat("pgpgout"),
            PgFault = Stat("pgfault"),
            PgMajFault = Stat("pgmajfault"),
            InactiveAnon = Stat("inactive_anon"),
            ActiveAnon = Stat("active_anon"),
            InactiveFile = Stat("inactive_file"),
            ActiveFile = Stat("active_file"),
            Unevictable = Stat("unevictable"),
            HierarchicalMemoryLimit = Stat("hierarchical_memory_limit"),
            HierarchicalSwapLimit = Stat("hierarchical_memsw_limit"),
            TotalCache = Stat("total_cache"),
            TotalRss = Stat("total_rss"),
            TotalRssHuge = Stat("total_rss_huge"),
            TotalMappedFile = Stat("total_mapped_file"),
            TotalDirty = Stat("total_dirty"),
            TotalWriteback = Stat("total_writeback"),
            TotalPgPgIn = Stat("total_pgpgin"),
            TotalPgPgOut = Stat("total_pgpgout"),
            TotalPgFault = Stat("total_pgfault"),
            TotalPgMajFault = Stat("total_pgmajfault"),
            TotalInactiveAnon = Stat("total_inactive_anon"),
            TotalActiveAnon = Stat("total_active_anon"),
            TotalInactiveFile = Stat("total_inactive_file"),
            TotalActiveFile = Stat("total_active_file"),
            TotalUnevictable = Stat("total_unevictable"),
        };
    }

    private static MemoryEntry? Entry(MemoryData? data) =>
        data is null ? null : new MemoryEntry { Usage = data.Usage, Max = data.MaxUsage, Failcnt = data.Failcnt, Limit = data.Limit };
}
