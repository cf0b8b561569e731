using Shim.HostPci;
using Shim.Sandbox.Pipeline;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>Teardown of what a sandbox holds, on the emulated host (no QEMU: a Create that failed before launch).</summary>
public sealed class SandboxResourcesTests(ITestOutputHelper output) : IDisposable
{
    private readonly PipelineHost host = new();

    [Fact]
    public async Task Release_RestoresEveryBoundGroupInReverse_ClearingJournalAndClaims_AndIsIdempotent()
    {
        var before = host.Host.Snapshot();
        var binder = GroupBinder.Create(host.Host.Sysfs, host.HostPciState);
        var resources = new SandboxResources("sb1", binder, SandboxStateDirectory.For(host.StateDirectory, "sb1"), new TestOutputLogger(output));
        var groups = host.Vfs.Select(vf => host.Host.GroupOf(vf) ?? throw new InvalidOperationException($"{vf} has no group")).ToArray();
        foreach (var group in groups)
        {
            await binder.BindAsync(group, "sb1", CancellationToken.None);
            resources.AddBoundGroup(group);
        }
        host.Vfs.ShouldAllBe(vf => host.Host.DriverOf(vf) == "vfio-pci");
        host.Claims().Count.ShouldBe(groups.Length);

        var failures = await resources.ReleaseAsync();

        failures.ShouldBeEmpty();
        host.Host.Snapshot().ShouldBe(before);
        host.Journal().ShouldBeEmpty();
        host.Claims().ShouldBeEmpty();
        resources.BoundGroups.ShouldBeEmpty();
        // The last group bound is the first restored.
        var unbinds = host.Host.Writes().Select(w => w.Short).Where(w => w.StartsWith("vfio-pci/unbind=", StringComparison.Ordinal)).ToArray();
        unbinds.ShouldBe(host.Vfs.Reverse().Select(vf => $"vfio-pci/unbind={vf}"));
        (await resources.ReleaseAsync()).ShouldBeEmpty();
    }

    public void Dispose() => host.Dispose();
}
