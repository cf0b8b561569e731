using System.Diagnostics;
using Shim.Agent.Tests;
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
        // The agent is never dialled: QEMU refuses the device before.
        var config = host.WriteConfig("hot", "cold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"root-port\"\npcie_root_port = 2", agentAddress: $"hvsock://{host.Directory}/unused.sock:1024");
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
    public async Task NoDevices_TheContainerRunsThroughTheAgent_UpdateHotAddsVcpus_DeleteLeavesTheRootfsIntact()
    {
        var patience = TimeSpan.FromSeconds(30);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rootfs = await TinyRootfs.BuildAsync(Path.Combine(host.Directory, "rootfs"), deadline.Token, "/bin/sh", "/bin/sleep");
        var socket = Path.Combine(host.Directory, "agent.sock");
        await using var agent = Shim.TestAgent.TestAgentHost.Start(new Shim.TestAgent.TestAgentOptions(
            socket, SharedRoot: Path.Combine(host.StateDirectory, "sandboxes", "{sandbox}", "shared")));
        // Through the stand-in only for its second QMP monitor (the shim holds the first): no device is rewritten here.
        var config = host.WriteConfig("none", "cold_plug_vfio = \"root-port\"\npcie_root_port = 1\ndefault_vcpus = 1\ndefault_maxvcpus = 3",
            agentAddress: $"hvsock://{socket}:1024", qemuPath: QemuStandIn.Path);
        var exits = new RecordingExits();
        var request = Request("n1", config, """{"process":{"args":["sleep","1000"],"env":["PATH=/bin"],"cwd":"/"},"linux":{},"root":{"path":""" + "\"" + rootfs + "\"}}", exits);
        var pipeline = NewPipeline();

        var created = await pipeline.CreateAsync(request, deadline.Token);

        var pid = (int)created.Pid;
        File.ReadAllText($"/proc/{pid}/cmdline").ShouldContain("pcie-root-port,id=rp0");
        agent.Record.Sandboxes.Single().SandboxId.ShouldBe("n1");
        var container = agent.Record.Containers.Single();
        container.OCI.Root.Path.ShouldBe("/run/kata-containers/shared/containers/n1/rootfs");
        File.Exists(Path.Combine(host.SandboxState("n1"), "shared", "n1", "rootfs", "bin", "sleep")).ShouldBeTrue("the rootfs is shared through the sandbox's shared directory");
        (await pipeline.StartAsync("n1", "", deadline.Token)).ShouldBe((uint)pid);

        var resources = new Google.Protobuf.WellKnownTypes.Any
        {
            TypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources",
            Value = Google.Protobuf.ByteString.CopyFromUtf8("""{"cpu":{"quota":200000,"period":100000}}"""),
        };
        await pipeline.UpdateAsync("n1", resources, deadline.Token);
        // 1 boot vCPU + 2 for the limit: QEMU runs three vCPU threads, and the agent was told the new total.
        VcpuThreads(pid).ShouldBe(3);
        agent.Record.OnlineCpuMem.Single().NbCpus.ShouldBe(3u);
        agent.Record.Updates.Single().Resources.CPU.Quota.ShouldBe(200000);

        // Pause and Resume stop and continue the whole VM.
        var observer = QemuStandIn.ObserverSocket(Path.Combine(host.SandboxState("n1"), "qmp.sock"));
        await pipeline.SetPausedAsync("n1", paused: true, deadline.Token);
        (await VmStatusAsync(observer, deadline.Token)).ShouldBe("paused");
        await pipeline.SetPausedAsync("n1", paused: false, deadline.Token);
        (await VmStatusAsync(observer, deadline.Token)).ShouldBe("running");

        await pipeline.KillAsync("n1", "", 9, all: false, deadline.Token);
        (await exits.For("n1", "").WaitAsync(patience)).ShouldBe(137u);
        await pipeline.DeleteAsync("n1", "", deadline.Token);

        ProcessTable.IsGone(pid).ShouldBeTrue();
        Directory.Exists(host.SandboxState("n1")).ShouldBeFalse();
        File.Exists(Path.Combine(rootfs, "bin", "sleep")).ShouldBeTrue("deleting the sandbox must detach the share, never delete through it");
        agent.Record.DestroySandboxCount.ShouldBe(1);
        await pipeline.DeleteAsync("n1", "", deadline.Token); // idempotent
    }

    [Fact]
    [Trait("Category", "Qemu")]
    public async Task QemuDyingUnderARunningContainer_ReportsItsProcessExited255_AndDeleteStillCleansUp()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rootfs = await TinyRootfs.BuildAsync(Path.Combine(host.Directory, "rootfs"), deadline.Token, "/bin/sh", "/bin/sleep");
        var socket = Path.Combine(host.Directory, "agent.sock");
        await using var agent = Shim.TestAgent.TestAgentHost.Start(new Shim.TestAgent.TestAgentOptions(
            socket, SharedRoot: Path.Combine(host.StateDirectory, "sandboxes", "{sandbox}", "shared")));
        var config = host.WriteConfig("dies", "default_vcpus = 1", agentAddress: $"hvsock://{socket}:1024");
        var exits = new RecordingExits();
        var request = Request("d1", config, """{"process":{"args":["sleep","1000"],"env":["PATH=/bin"],"cwd":"/"},"linux":{},"root":{"path":""" + "\"" + rootfs + "\"}}", exits);
        var pipeline = NewPipeline();
        var pid = (int)(await pipeline.CreateAsync(request, deadline.Token)).Pid;
        await pipeline.StartAsync("d1", "", deadline.Token);

        System.Diagnostics.Process.GetProcessById(pid).Kill(); // SIGKILL: the VM is gone

        (await exits.For("d1", "").WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(255u);
        await pipeline.DeleteAsync("d1", "", deadline.Token);
        Directory.Exists(host.SandboxState("d1")).ShouldBeFalse();
        File.Exists(Path.Combine(rootfs, "bin", "sleep")).ShouldBeTrue();
    }

    [Fact]
    [Trait("Category", "Qemu")]
    public async Task NoAgentAnswering_CreateFailsNamingTheAddress_AndRollsQemuBack()
    {
        var socket = Path.Combine(host.Directory, "nobody.sock");
        var config = host.WriteConfig("noagent", "default_vcpus = 1", agentAddress: $"hvsock://{socket}:1024", dialTimeoutSeconds: 1);
        var request = Request("a1", config, "{}", new RecordingExits());

        var failure = await Should.ThrowAsync<TtrpcException>(() => NewPipeline().CreateAsync(request, CancellationToken.None));

        output.WriteLine(failure.StatusMessage);
        failure.StatusMessage.ShouldContain($"hvsock://{socket}:1024");
        failure.StatusMessage.ShouldContain("rolled back: QEMU stopped");
        ProcessTable.IsGone(BundleState.Load(request.Bundle)!.QemuPid.ShouldNotBeNull()).ShouldBeTrue();
        Directory.Exists(host.SandboxState("a1")).ShouldBeFalse();
    }

    private static async Task<string?> VmStatusAsync(string observerSocket, CancellationToken cancellationToken)
    {
        await using var qmp = await Shim.Qmp.QmpClient.ConnectAsync(observerSocket, TimeSpan.FromSeconds(10), cancellationToken);
        var status = await qmp.ExecuteAsync("query-status", null, TimeSpan.FromSeconds(10), cancellationToken);
        return status?["status"]?.GetValue<string>();
    }

    private static int VcpuThreads(int qemuPid) =>
        Directory.GetDirectories($"/proc/{qemuPid}/task").Count(t => File.ReadAllText(Path.Combine(t, "comm")).StartsWith("CPU ", StringComparison.Ordinal));

    private SandboxPipeline NewPipeline() =>
        new(PhysicalConfigurationFileSystem.Instance, _ => null, new TestOutputLogger(output), PluginOwnerPolicy.AnyOwnerTestsOnly);

    private SandboxCreateRequest Request(string id, string configPath, string ociSpec, ITaskExitSink? exits = null)
    {
        var bundle = Path.Combine(host.Directory, "bundles", id);
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "config.json"), ociSpec);
        return new SandboxCreateRequest(id, "test", bundle, BundleSpec.Load(bundle), id, configPath, [], new TaskIo("", "", "", false), exits ?? new NoExits());
    }

    private sealed class NoExits : ITaskExitSink
    {
        public void ReportExit(string taskId, string execId, uint exitStatus, DateTimeOffset exitedAt) =>
            throw new InvalidOperationException($"no process was started, so {taskId}/{execId} cannot exit ({exitStatus})");

        public void ReportOom(string containerId) => throw new InvalidOperationException($"no process was started in {containerId}");
    }

    private sealed class RecordingExits : ITaskExitSink
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<uint>> exits = new();

        public Task<uint> For(string taskId, string execId) => Slot(taskId, execId).Task;

        public void ReportExit(string taskId, string execId, uint exitStatus, DateTimeOffset exitedAt) => Slot(taskId, execId).TrySetResult(exitStatus);

        public void ReportOom(string containerId) => Slot(containerId, "oom").TrySetResult(0);

        private TaskCompletionSource<uint> Slot(string taskId, string execId) =>
            exits.GetOrAdd(taskId + "/" + execId, _ => new TaskCompletionSource<uint>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    public void Dispose() => host.Dispose();
}
