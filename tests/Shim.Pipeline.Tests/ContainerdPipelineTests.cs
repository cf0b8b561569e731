using System.Net.Sockets;
using System.Text.RegularExpressions;
using Shim.Agent.Tests;
using Shim.Containerd.Tasks;
using Shim.Containerd.Tests;
using Shim.Sandbox.Tests;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>
/// The real pipeline inside the shim under containerd 1.6.20, driven by ctr: preflight refusals fail fast and touch
/// nothing, a QEMU refusal rolls every binding back and reaches ctr in QEMU's words, and a device-less sandbox's
/// QEMU comes up and goes down with the task. The host is the sysfs emulator ([host] sysfs_root).
/// </summary>
[Trait("Category", "Containerd")]
public sealed partial class ContainerdPipelineTests(ContainerdFixture containerd, ITestOutputHelper output) : IClassFixture<ContainerdFixture>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly PipelineHost host = new();

    [Fact]
    public async Task Issue10162_NoPortWithAVfInThePodsNetns_FailsFastWithTheFix_TouchingNothing()
    {
        using var netns = new PodNetns();
        var config = host.WriteConfig("noport", "cold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"no-port\"");
        var before = TreeSnapshot.Take(host.Host.Root);

        var run = await RunWithVfAsync("p1", config, netns, host.Vfs[0]);

        output.WriteLine(run.ToString());
        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain(
            $"cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": net1 ({host.Vfs[0]}) can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)");
        run.Stderr.ShouldContain("nothing was changed on the host");
        run.Stderr.ShouldContain("failed precondition");
        AssertNothingHappened(before, "p1");
        ReportPreflightTime("p1");
        await RemoveContainerAsync("p1");
    }

    [Fact]
    public async Task TooFewRootPorts_FailsFastNamingPcieRootPort_TouchingNothing()
    {
        using var netns = new PodNetns();
        var config = host.WriteConfig("noports", "cold_plug_vfio = \"root-port\"\npcie_root_port = 0");
        var before = TreeSnapshot.Take(host.Host.Root);

        var run = await RunWithVfAsync("p2", config, netns, host.Vfs[0]);

        output.WriteLine(run.ToString());
        run.ExitCode.ShouldNotBe(0);
        run.Stderr.ShouldContain($"net1 ({host.Vfs[0]}): needs a root port; pcie_root_port = 0 — set pcie_root_port >= 1 in [hypervisor.qemu]");
        AssertNothingHappened(before, "p2");
        ReportPreflightTime("p2");
        await RemoveContainerAsync("p2");
    }

    [Fact]
    public async Task ValidColdPlugPlan_QemuRefusesTheEmulatedVf_EverythingRolledBack_AndQemusWordsReachCtr()
    {
        using var netns = new PodNetns();
        // An agent address (never dialled: QEMU refuses first) stands in for the guest kernel the preflight asks for.
        var config = host.WriteConfig("rootport", "cold_plug_vfio = \"root-port\"\npcie_root_port = 2", $"hvsock://{host.Directory}/agent.sock:1024");
        var vf = host.Vfs[1];
        var driversBefore = host.Host.Snapshot();
        var originalDriver = host.Host.DriverOf(vf);

        var run = await RunWithVfAsync("p3", config, netns, vf);

        output.WriteLine(run.ToString());
        run.ExitCode.ShouldNotBe(0);
        // QEMU's own line, verbatim: it names the device it could not open.
        run.Stderr.ShouldContain("QEMU failed to start");
        run.Stderr.ShouldContain($"qemu-system-x86_64: -device vfio-pci,host={vf},id=vfio-{vf.Replace(':', '-')}");
        run.Stderr.ShouldContain("rolled back: QEMU stopped, every device returned to its driver");
        // It really was bound and launched with the planned topology before QEMU refused.
        host.Host.Writes().Select(w => w.Short).ShouldContain($"{vf}/driver_override=vfio-pci");
        containerd.Log.ShouldContain("-device pcie-root-port,id=rp0,bus=pcie.0");
        containerd.Log.ShouldContain("-device pcie-root-port,id=rp1,bus=pcie.0");
        containerd.Log.ShouldContain($"-device vfio-pci,host={vf},id=vfio-{vf.Replace(':', '-')},x-pci-vendor-id=");

        host.Host.DriverOf(vf).ShouldBe(originalDriver);
        host.Host.OverrideOf(vf).ShouldBeNullOrEmpty();
        host.Host.Snapshot().ShouldBe(driversBefore);
        host.Journal().ShouldBeEmpty();
        host.Claims().ShouldBeEmpty();
        ProcessTable.PidsWhoseCommandLineContains(host.SandboxState("p3")).ShouldBeEmpty();
        Directory.Exists(host.SandboxState("p3")).ShouldBeFalse();
        await RemoveContainerAsync("p3");
    }

    [Fact]
    public async Task SandboxWithoutDevices_QemuUpWhileTheContainerRuns_ListeningOnQmp_AndGoneAfterDelete()
    {
        await using var agent = await TestAgentProcess.StartAsync(host.SharedRootTemplate, CancellationToken.None);
        var config = host.WriteConfig("nodevices", "cold_plug_vfio = \"root-port\"\npcie_root_port = 2", agent.Address);

        var run = await RunDetachedAsync("p4", config, await SleeperRootfsAsync());

        output.WriteLine(run.ToString());
        run.ExitCode.ShouldBe(0, run.ToString());
        var qemuPid = SandboxQemu("p4");
        var socket = Path.Combine(host.SandboxState("p4"), "qmp.sock");
        var argv = File.ReadAllText($"/proc/{qemuPid}/cmdline").Split('\0');
        argv.ShouldContain($"unix:{socket},server=on,wait=off");
        argv.ShouldContain("-S"); // started paused; the shim sends cont once the container is created
        argv.ShouldContain("pcie-root-port,id=rp1,bus=pcie.0,chassis=0,slot=1,multifunction=off");
        // The shim holds QEMU's only QMP session; a second client is queued in the listen backlog, which proves
        // the monitor is listening without stealing the shim's session.
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socket)).WaitAsync(Patience);
            probe.Connected.ShouldBeTrue();
        }
        File.Exists(Path.Combine(host.SandboxState("p4"), "ports.json")).ShouldBeTrue();
        agent.Record.Container("p4").ShouldNotBeNull(agent.Record.ToString());

        var rm = await containerd.CtrAsync("task", "rm", "-f", "p4");
        rm.ExitCode.ShouldBe(0, rm.ToString());

        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(qemuPid), Patience, () => $"QEMU {qemuPid} still alive after task rm", CancellationToken.None);
        Directory.Exists(host.SandboxState("p4")).ShouldBeFalse();
        containerd.Log.ShouldContain("delete p4: agent sandbox destroyed, QEMU stopped, devices restored");
        agent.Record.DestroySandbox.ShouldBe(1);
        await RemoveContainerAsync("p4");
    }

    [Fact]
    public async Task ShimKilledWithQemuRunning_ContainerdsDeleteStopsQemuAndClearsTheSandboxState()
    {
        await using var agent = await TestAgentProcess.StartAsync(host.SharedRootTemplate, CancellationToken.None);
        var config = host.WriteConfig("killed", "cold_plug_vfio = \"root-port\"\npcie_root_port = 1", agent.Address);
        var run = await RunDetachedAsync("p5", config, await SleeperRootfsAsync());
        run.ExitCode.ShouldBe(0, run.ToString());
        var qemuPid = SandboxQemu("p5");
        Directory.Exists(host.SandboxState("p5")).ShouldBeTrue();

        System.Diagnostics.Process.GetProcessById(containerd.ShimDaemonPids("p5").ShouldHaveSingleItem()).Kill(); // SIGKILL

        // containerd sees the shim go, runs `containerd-shim-kataplug-v2 delete`: the recorded QEMU is killed and the
        // sandbox's runtime state removed, with no shim process left to do it.
        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(qemuPid), Patience, () => $"QEMU {qemuPid} still alive after the shim was killed", CancellationToken.None);
        await BoundedPoll.UntilAsync(() => !Directory.Exists(host.SandboxState("p5")), Patience, () => "sandbox state of p5 still present", CancellationToken.None);
        await RemoveContainerAsync("p5");
    }

    /// <summary><c>ctr run -d</c> of <c>sleep 1000</c>: returns once the container is started in the VM.</summary>
    private Task<ProcessResult> RunDetachedAsync(string id, string config, string rootfs) =>
        containerd.CtrAsync(CtrRunner.Patience, "run", "-d", "--fifo-dir", containerd.FifoDirectory, "--runtime", ContainerdFixture.Runtime,
            "--runtime-config-path", config, "--rootfs", rootfs, id, "sleep", "1000");

    private async Task<string> SleeperRootfsAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        return await TinyRootfs.BuildAsync(Path.Combine(host.Directory, "rootfs"), deadline.Token, "/bin/sh", "/bin/sleep");
    }

    /// <summary>The sandbox's QEMU: the QEMU whose command line names the sandbox's state directory (its QMP socket).</summary>
    private int SandboxQemu(string id) =>
        ProcessTable.PidsWhoseCommandLineContains(host.SandboxState(id))
            .Intersect(ProcessTable.PidsWhoseCommandLineContains("qemu-system-x86_64"))
            .ShouldHaveSingleItem(CtrRunner.Tail(containerd.Log));

    private Task<ProcessResult> RunWithVfAsync(string id, string config, PodNetns netns, string vf) =>
        containerd.CtrAsync("run", "--fifo-dir", containerd.FifoDirectory, "--runtime", ContainerdFixture.Runtime,
            "--runtime-config-path", config,
            "--with-ns", $"network:{netns.Path}",
            "--annotation", $"{PipelineHost.NetworkStatusAnnotation}={PipelineHost.NetworkStatus(vf)}",
            "--rootfs", containerd.RootfsDirectory, id, "/bin/true");

    private void AssertNothingHappened(IReadOnlyDictionary<string, string> before, string id)
    {
        TreeSnapshot.Diff(before, TreeSnapshot.Take(host.Host.Root)).ShouldBeEmpty();
        Directory.Exists(host.SandboxState(id)).ShouldBeFalse();
        Directory.Exists(host.HostPciState).ShouldBeFalse();
        ProcessTable.PidsWhoseCommandLineContains(host.StateDirectory).ShouldBeEmpty();
        containerd.Log.ShouldNotContain($"sandbox {id}: QEMU pid");
    }

    // The shim logs how long Create took from its arrival to the refusal; surface it in the test output.
    private void ReportPreflightTime(string id)
    {
        var match = PreflightRefusedAfter().Match(containerd.Log[containerd.Log.IndexOf($"create {id}: preflight refused", StringComparison.Ordinal)..]);
        match.Success.ShouldBeTrue("the shim logs the create-to-refusal time");
        output.WriteLine($"create {id}: refused {match.Groups[1].Value} ms after Create arrived");
        foreach (var line in containerd.Log.Split('\n').Where(l => l.Contains($"id={id} ", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
    }

    private async Task RemoveContainerAsync(string id)
    {
        var crm = await containerd.CtrAsync("container", "rm", id);
        crm.ExitCode.ShouldBe(0, crm.ToString());
    }

    [GeneratedRegex(@"preflight refused after ([0-9.]+) ms")]
    private static partial Regex PreflightRefusedAfter();

    public void Dispose() => host.Dispose();
}
