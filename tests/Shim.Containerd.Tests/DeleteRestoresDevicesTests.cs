using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos.Task;
using Shim.HostPci;
using Shim.SysfsEmulator;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>
/// The shim binary's <c>delete</c>, as a separate process, returns a dead sandbox's journaled device bindings to
/// their original drivers (containerd-shim-v2.md §6.2) — on the emulated sysfs, which the binary picks up through
/// the root's <c>.emulator/writer</c> descriptor.
/// </summary>
public sealed class DeleteRestoresDevicesTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("kpr-").FullName;

    [Fact]
    public async Task DeleteBinary_PutsTheSandboxsGpuBackOnItsDriver_AndClearsJournalAndClaims()
    {
        var host = new EmulatedHostBuilder().HostBridge("0000:00:00.0").RootPort("0000:00:02.0").Gpu("0000:65:00.0")
            .Build(Path.Combine(dir, "root"));
        var state = Path.Combine(dir, "state");
        var before = host.Snapshot();
        var group = host.GroupOf("0000:65:00.0") ?? throw new InvalidOperationException("GPU has no group");
        var binder = new GroupBinder(host.Sysfs, host.Writer(), new BindingJournal(state), new ClaimLedger(state), new BindingOptions());
        await binder.BindAsync(group, "sb1", CancellationToken.None);
        host.DriverOf("0000:65:00.0").ShouldBe("vfio-pci");

        // The daemon "died" after binding: only the bundle state and the journal remain.
        var bundle = Path.Combine(dir, "bundle");
        Directory.CreateDirectory(bundle);
        new BundleState("sb1", state, host.Root).Save(bundle);
        var delete = await ProcessRunner.RunAsync(ShimBinary.Path,
            ["-namespace", "ns1", "-address", Path.Combine(dir, "c.sock"), "-id", "sb1", "-bundle", bundle, "delete"],
            TimeSpan.FromSeconds(15), bundle,
            new Dictionary<string, string> { [ShimSocketAddress.DirectoryEnvironmentVariable] = Path.Combine(dir, "s") }, []);
        output.WriteLine(delete.ToString());

        delete.ExitCode.ShouldBe(0, delete.ToString());
        DeleteResponse.Parser.ParseFrom(delete.Stdout).ExitStatus.ShouldBe(137u);
        delete.Stderr.ShouldContain($"group {group}"); // the warning lists what was restored
        host.Snapshot().ShouldBe(before);
        new BindingJournal(state).List().ShouldBeEmpty();
        (await new ClaimLedger(state).ListAsync(CancellationToken.None)).ShouldBeEmpty();

        var again = await ProcessRunner.RunAsync(ShimBinary.Path,
            ["-namespace", "ns1", "-address", Path.Combine(dir, "c.sock"), "-id", "sb1", "-bundle", bundle, "delete"],
            TimeSpan.FromSeconds(15), bundle,
            new Dictionary<string, string> { [ShimSocketAddress.DirectoryEnvironmentVariable] = Path.Combine(dir, "s") }, []);
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stderr.ShouldBeEmpty();
        host.Snapshot().ShouldBe(before);
    }

    public void Dispose() => Directory.Delete(dir, true);
}
