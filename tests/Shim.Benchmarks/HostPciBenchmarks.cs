using BenchmarkDotNet.Attributes;
using Shim.HostPci;
using Shim.SysfsEmulator;

namespace Shim.Benchmarks;

/// <summary>
/// Host PCI engine numbers on the emulated sysfs (tmpfs, like real sysfs): inventory of a 4,096-function host
/// (64 SR-IOV PFs × 63 VFs, target ≤ 50 ms) and bind + restore of a 4-function group (journal fsyncs included).
/// </summary>
[MemoryDiagnoser]
public class HostPciBenchmarks
{
    private string dir = "";
    private SysfsRoot bigHost = null!;
    private GroupBinder binder = null!;
    private int quadGroup;

    [GlobalSetup]
    public void Setup()
    {
        var baseDir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        dir = Path.Combine(baseDir, "kataplug-bench-hostpci-" + Environment.ProcessId);
        var builder = new EmulatedHostBuilder().HostBridge();
        for (int pf = 0; pf < 64; pf++)
            builder.SriovNic($"0000:{0x10 + pf:x2}:00.0", totalVfs: 63, numVfs: 63, ifName: $"ens{pf}f0", up: false, offset: 0x80, stride: 1);
        var big = builder.Build(Path.Combine(dir, "big"));
        bigHost = big.Sysfs;

        var small = new EmulatedHostBuilder()
            .Nic("0000:81:00.0", driver: "igb", ifName: "p0")
            .Nic("0000:81:00.1", driver: "igb", ifName: "p1", sameGroupAs: "0000:81:00.0")
            .Nic("0000:81:00.2", driver: "igb", ifName: "p2", sameGroupAs: "0000:81:00.0")
            .Nic("0000:81:00.3", driver: "igb", ifName: "p3", sameGroupAs: "0000:81:00.0")
            .Build(Path.Combine(dir, "small"));
        quadGroup = small.GroupOf("0000:81:00.0")!.Value;
        binder = GroupBinder.Create(small.Sysfs, Path.Combine(dir, "state"));
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(dir, recursive: true);

    [Benchmark]
    public int Inventory4096Functions() => PciInventory.Read(bigHost).Functions.Count;

    [Benchmark]
    public async Task<int> BindAndRestoreFourFunctionGroup()
    {
        var bound = await binder.BindAsync(quadGroup, "bench", CancellationToken.None);
        await binder.RestoreAsync(quadGroup, "bench", CancellationToken.None);
        return bound.Functions.Count;
    }
}
