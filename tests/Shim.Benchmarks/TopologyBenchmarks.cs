using BenchmarkDotNet.Attributes;
using Shim.Topology;

namespace Shim.Benchmarks;

/// <summary>Planning 64 functions in 16 IOMMU groups (4 functions each); target ≤ 1 ms per plan.</summary>
[MemoryDiagnoser]
public class TopologyBenchmarks
{
    private DeviceRequest[] _requests = [];
    private HostFactsSnapshot _facts = null!;
    private TopologySettings _fits = null!;
    private TopologySettings _tooFewPorts = null!;
    private PortAllocationState _running = null!;
    private DeviceRequest _hotNic = null!;
    private HostFactsSnapshot _hotFacts = null!;

    [GlobalSetup]
    public void Setup()
    {
        _requests = Enumerable.Range(0, 16)
            .Select(g => DeviceRequest.Vfio("vfio", $"dev{g}", PlugMode.Auto, Enumerable.Range(0, 4)
                .Select(fn => new PciFunction($"0000:{g + 0x10:x2}:00.{fn}", 0x15b3, 0x101e, 0x020000, true, g + 100))
                .ToArray()))
            .ToArray();
        _facts = HostFactsSnapshot.ViableFor(_requests);
        // 64 functions fit on three pci-bridges (90 slots); root/switch ports stop at 16 each.
        _fits = new TopologySettings { ColdPlugVfio = PortType.BridgePort, DefaultBridges = 3, PcieRootPort = 16 };
        // The same devices with 16 root ports: a report with 48 problems.
        _tooFewPorts = new TopologySettings { ColdPlugVfio = PortType.RootPort, PcieRootPort = 16 };

        var hot = new TopologySettings { HotPlugVfio = PortType.RootPort, PcieRootPort = 16 };
        _running = TopologyPlanner.Plan(hot, _requests.Take(3), HostFactsSnapshot.ViableFor(_requests.Take(3))).Plan!.Allocation;
        _hotNic = DeviceRequest.Vfio("sriov", "eth9", PlugMode.Hot, new PciFunction("0000:84:01.1", 0x15b3, 0x101e, 0x020000, true, 84));
        _hotFacts = HostFactsSnapshot.ViableFor([_hotNic]);
    }

    [Benchmark(Baseline = true)]
    public TopologyPlan Plan64FunctionsIn16Groups() => TopologyPlanner.Plan(_fits, _requests, _facts).Plan!;

    [Benchmark]
    public PlanReport Report48Problems() => TopologyPlanner.Plan(_tooFewPorts, _requests, _facts).Report!;

    [Benchmark]
    public PortAllocationState HotplugAllocateAndRelease()
    {
        var outcome = HotplugAllocator.Allocate(_running, _hotNic, _hotFacts);
        return HotplugAllocator.Release(outcome.State, "0000:84:01.1");
    }

    [Benchmark]
    public string StateRoundTripJson() => PortAllocationState.FromJson(_running.ToJson()).ToJson();
}
