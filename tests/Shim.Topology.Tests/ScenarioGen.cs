using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>A random planner input; <see cref="ToString"/> prints it so a failing case can be read back.</summary>
public sealed record Scenario(TopologySettings Settings, IReadOnlyList<DeviceRequest> Requests)
{
    public override string ToString() =>
        $"machine={Settings.MachineType} cold={Settings.ColdPlugVfio} hot={Settings.HotPlugVfio} rp={Settings.PcieRootPort} sw={Settings.PcieSwitchPort} "
        + $"br={Settings.DefaultBridges} iommu={Settings.EnableIommu} shm={Settings.SharedMemory}; "
        + string.Join("; ", Requests.Select(r => $"{r.Interface}/{r.Kind}/{r.Mode}[{string.Join(",", r.Functions.Select(f => f.Bdf + "#" + f.ClassCode.ToString("x", CultureInfo.InvariantCulture)))}]"));
}

internal static class ScenarioGen
{
    private static Gen<PortType> Port =>
        Gen.Frequency((3, Gen.Constant(PortType.NoPort)), (3, Gen.Constant(PortType.RootPort)), (2, Gen.Constant(PortType.SwitchPort)), (2, Gen.Constant(PortType.BridgePort)));

    private static Gen<TopologySettings> Settings =>
        from machine in Gen.Frequency((6, Gen.Constant("q35")), (2, Gen.Constant("pc")), (2, Gen.Constant("virt")), (1, Gen.Constant("microvm")))
        from cold in Port
        from hot in Gen.Frequency((3, Gen.Constant(PortType.NoPort)), (1, Port))
        from rp in Gen.Frequency((4, Gen.Choose(0, 8)), (1, Gen.Choose(-1, 20)))
        from sw in Gen.Frequency((4, Gen.Choose(0, 6)), (1, Gen.Choose(0, 20)))
        from br in Gen.Choose(0, 6)
        from iommu in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from shm in Gen.Elements(true, false)
        select new TopologySettings
        {
            MachineType = machine, ColdPlugVfio = cold, HotPlugVfio = hot, PcieRootPort = rp, PcieSwitchPort = sw,
            DefaultBridges = br, EnableIommu = iommu, SharedMemory = shm,
        };

    private static Gen<PciFunction> Function =>
        from bus in Gen.Choose(1, 6)
        from dev in Gen.Choose(0, 3)
        from fn in Gen.Choose(0, 3)
        from cls in Gen.Frequency((8, Gen.Constant(0x020000u)), (2, Gen.Constant(0x040300u)), (1, Gen.Constant(0x060400u)), (1, Gen.Constant(0x068000u)))
        select new PciFunction($"0000:{bus:x2}:{dev:x2}.{fn}", 0x15b3, 0x101e, cls, true, (bus * 10) + dev);

    private static Gen<DeviceRequest> Request(int index) =>
        from vhost in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        from mode in Gen.Frequency((6, Gen.Constant(PlugMode.Auto)), (2, Gen.Constant(PlugMode.Cold)), (2, Gen.Constant(PlugMode.Hot)))
        from count in Gen.Choose(1, 4)
        from functions in Gen.ArrayOf(Function, count)
        select vhost
            ? DeviceRequest.VhostUser("vhost", $"vhu{index}", $"/run/vhu{index}.sock", mode)
            : DeviceRequest.Vfio(index % 2 == 0 ? "sriov" : "vfio", $"eth{index}", mode, functions.DistinctBy(f => f.Bdf).ToArray());

    public static Gen<Scenario> Scenarios =>
        from settings in Settings
        from n in Gen.Choose(0, 7)
        from requests in Enumerable.Range(0, n).Aggregate(
            Gen.Constant(Array.Empty<DeviceRequest>()),
            (acc, i) => from list in acc from r in Request(i) select list.Append(r).ToArray())
        select new Scenario(settings, requests);

    public static Arbitrary<Scenario> Arb => Scenarios.ToArbitrary();
}
