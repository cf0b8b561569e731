using System.Diagnostics;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Tasks;
using Shim.Containerd.Tests;
using Shim.Sandbox.Tests;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Pipeline;
using Shim.Ttrpc;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>
/// The pipeline in process, the way the Task service calls it: Create-to-refusal time for a misconfigured pod, and
/// the hot-plug path (QEMU up, device_add refused for the emulated VF, everything released).
/// </summary>
public sealed class SandboxPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly PipelineHost host = new();

    [Fact]
    [Trait("Category", "Netns")]
    public async Task MisconfiguredVf_CreateIsRefusedWithEveryProblem_BeforeAnyWrite_ReportingItsDuration()
    {
        using var netns = new PodNetns();
        var config = host.WriteConfig("noport", "cold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"no-port\"");
        var before = TreeSnapshot.Take(host.Host.Root);

        var times = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var request = Request($"t{round}", config, PipelineHost.OciSpec(host.Vfs[0], netns.Path));
            var pipeline = NewPipeline(); // a fresh pipeline per sandbox, as each shim daemon has its own
            var clock = Stopwatch.StartNew();
            var refusal = await Should.ThrowAsync<TtrpcException>(() => pipeline.CreateAsync(request, CancellationToken.None));
            times.Add(clock.Elapsed.TotalMilliseconds);

            refusal.Code.ShouldBe(StatusCode.FailedPrecondition);
            refusal.StatusMessage.ShouldStartWith($"sandbox t{round}: 1 problem, nothing was changed on the host:\n");
            refusal.StatusMessage.ShouldContain($"net1 ({host.Vfs[0]}) can only be attached through VFIO — set cold_plug_vfio = \"root-port\"");
        }
        output.WriteLine($"Create → FailedPrecondition: first {times[0]:0.0} ms (cold: plugin load + JIT), then {string.Join(", ", times.Skip(1).Select(t => t.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} ms");

        TreeSnapshot.Diff(before, TreeSnapshot.Take(host.Host.Root)).ShouldBeEmpty();
        Directory.Exists(host.StateDirectory).ShouldBeFalse();
    }

    [Fact]
    [Trait("Category", "Qemu")]
    [Trait("Category", "Netns")]
    public async Task HotPlugPlan_QemuRefusesTheEmulatedVfOnDeviceAdd_QemuStoppedAndGroupRestored()
    {
        using var netns = new PodNetns();
        var config = host.WriteConfig("hot", "cold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"root-port\"\npcie_root_port = 2");
        var vf = host.Vfs[0];
        var drivers = host.Host.Snapshot();
        var request = Request("h1", config, PipelineHost.OciSpec(vf, netns.Path));

        var failure = await Should.ThrowAsync<TtrpcException>(() => NewPipeline().CreateAsync(request, CancellationToken.None));

        output.WriteLine(failure.StatusMessage);
        failure.Code.ShouldBe(StatusCode.Internal);
        failure.StatusMessage.ShouldContain($"QEMU refused vfio-pci,id=vfio-{vf.Replace(':', '-')},bus=rp0");
        failure.StatusMessage.ShouldContain("rolled back: QEMU stopped, every device returned to its driver");
        host.Host.Writes().Select(w => w.Short).ShouldContain($"{vf}/driver_override=vfio-pci");
        host.Host.Snapshot().ShouldBe(drivers);
        host.Journal().ShouldBeEmpty();
        host.Claims().ShouldBeEmpty();
        var qemuPid = BundleState.Load(request.Bundle)!.QemuPid.ShouldNotBeNull();
        ProcessTable.IsGone(qemuPid).ShouldBeTrue();
        Directory.Exists(host.SandboxState("h1")).ShouldBeFalse();
    }

    [Fact]
    [Trait("Category", "Qemu")]
    public async Task NoDevices_CreateStartsQemuPaused_StartIsRefused_DeleteStopsIt()
    {
        var config = host.WriteConfig("none", "cold_plug_vfio = \"root-port\"\npcie_root_port = 1");
        var request = Request("n1", config, "{}");
        var pipeline = NewPipeline();

        var created = await pipeline.CreateAsync(request, CancellationToken.None);

        var pid = (int)created.Pid;
        File.ReadAllText($"/proc/{pid}/cmdline").ShouldContain("pcie-root-port,id=rp0");
        BundleState.Load(request.Bundle)!.QemuPid.ShouldBe(pid);
        File.Exists(Path.Combine(host.SandboxState("n1"), "qmp.sock")).ShouldBeTrue();
        var start = await Should.ThrowAsync<TtrpcException>(() => pipeline.StartAsync("n1", CancellationToken.None));
        start.Code.ShouldBe(StatusCode.FailedPrecondition);

        await pipeline.DeleteAsync("n1", CancellationToken.None);

        ProcessTable.IsGone(pid).ShouldBeTrue();
        Directory.Exists(host.SandboxState("n1")).ShouldBeFalse();
        await pipeline.DeleteAsync("n1", CancellationToken.None); // idempotent
    }

    private SandboxPipeline NewPipeline() =>
        new(PhysicalConfigurationFileSystem.Instance, _ => null, new TestOutputLogger(output), PluginOwnerPolicy.AnyOwnerTestsOnly);

    private SandboxCreateRequest Request(string id, string configPath, string ociSpec)
    {
        var bundle = Path.Combine(host.Directory, "bundles", id);
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "config.json"), ociSpec);
        return new SandboxCreateRequest(id, "test", bundle, BundleSpec.Load(bundle), id, configPath, [], new TaskIo("", "", "", false), new NoExits());
    }

    private sealed class NoExits : ITaskExitSink
    {
        public void ReportExit(string taskId, uint exitStatus, DateTimeOffset exitedAt) =>
            throw new InvalidOperationException($"no task runs in the VM yet, so {taskId} cannot exit ({exitStatus})");
    }

    public void Dispose() => host.Dispose();
}
