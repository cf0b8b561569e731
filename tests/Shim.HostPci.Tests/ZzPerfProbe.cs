using System.Diagnostics;
using Shim.SysfsEmulator;
using Xunit.Abstractions;

namespace Shim.HostPci.Tests;

public class ZzPerfProbe(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        var root = "/dev/shm/kataplug-perfprobe";
        if (!Directory.Exists(root))
        {
            var builder = new EmulatedHostBuilder().HostBridge();
            for (int pf = 0; pf < 64; pf++)
                builder.SriovNic($"0000:{0x10 + pf:x2}:00.0", totalVfs: 63, numVfs: 63, ifName: $"ens{pf}f0", up: false, offset: 0x80, stride: 1);
            builder.Build(root);
        }
        var sys = new SysfsRoot(root);
        for (int i = 0; i < 3; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var inv = PciInventory.Read(sys);
            output.WriteLine($"read {inv.Functions.Count} in {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds} ms cpu");
        }
        var s2 = Stopwatch.StartNew();
        HostFactsReader.Read(sys);
        output.WriteLine($"facts {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        var addrs = Directory.EnumerateFileSystemEntries(sys.PciDevicesDir).ToList();
        output.WriteLine($"enum {addrs.Count} {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        foreach (var a in addrs) SysfsReader.ReadLink(a);
        output.WriteLine($"readlink {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        foreach (var a in addrs) SysfsReader.ReadHex(a + "/vendor");
        output.WriteLine($"readhex {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        foreach (var a in addrs) foreach (var _ in Directory.EnumerateFileSystemEntries(a)) { }
        output.WriteLine($"enum dirs {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        foreach (var a in addrs) _ = new FileInfo(a + "/config").Length;
        output.WriteLine($"stat config {s2.ElapsedMilliseconds} ms");
        s2.Restart();
        foreach (var a in addrs) SysfsReader.LinkBasename(a + "/driver");
        output.WriteLine($"driver link {s2.ElapsedMilliseconds} ms");
    }
}
