using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.TestAgent;

// UpdateContainer (recorded, merged over the spec's limits) and StatsContainer (from /proc).
public sealed partial class TestAgentService
{
    private void UpdateContainer(UpdateContainerRequest request)
    {
        var container = Container(request.ContainerId, StatusCode.Internal);
        if (request.Resources is not null)
        {
            lock (container.Resources)
            {
                container.Resources.MergeFrom(request.Resources);
            }
        }
        record.Add(request);
    }

    /// <summary>Numbers of the container's live processes and their descendants, read from /proc (what its cgroup would count).</summary>
    private StatsContainerResponse Stats(StatsContainerRequest request)
    {
        var container = Container(request.ContainerId, StatusCode.Internal);
        var tree = ProcessTreeStats.Read(container.Running.Select(p => p.Pid).OfType<int>());
        LinuxResources limits;
        lock (container.Resources)
        {
            limits = container.Resources.Clone();
        }
        return new StatsContainerResponse
        {
            CgroupStats = new CgroupStats
            {
                CpuStats = new CpuStats
                {
                    CpuUsage = new CpuUsage
                    {
                        TotalUsage = tree.TotalNanoseconds,
                        UsageInUsermode = tree.UserNanoseconds,
                        UsageInKernelmode = tree.KernelNanoseconds,
                    },
                    ThrottlingData = new ThrottlingData(),
                },
                MemoryStats = new MemoryStats
                {
                    Usage = new MemoryData { Usage = tree.ResidentBytes, Limit = (ulong)Math.Max(0, limits.Memory?.Limit ?? 0) },
                },
                PidsStats = new PidsStats { Current = (ulong)tree.Processes, Limit = (ulong)Math.Max(0, limits.Pids?.Limit ?? 0) },
                BlkioStats = new BlkioStats(),
            },
        };
    }
}
