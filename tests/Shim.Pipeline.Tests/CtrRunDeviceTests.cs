using System.Text.Json.Nodes;
using Shim.Containerd.Tests;
using Shim.Qemu;
using Shim.Qmp;
using Xunit.Abstractions;

namespace Shim.Pipeline.Tests;

/// <summary>
/// End to end with what the VM is given: a VF endpoint cold-plugged on a root port (QEMU is hack/qemu-vfio-standin,
/// which puts an emulated NIC where the emulated host's VF would go) has its interface configured in the guest by
/// its guest PCI path, and a Task.Update with a CPU limit hot-adds vCPUs that the agent is asked to online.
/// QEMU is observed through the stand-in's second QMP monitor; the agent through its record file.
/// </summary>
[Trait("Category", "Containerd")]
[Trait("Category", "Qemu")]
[Collection(EndToEndCollection.Name)]
public sealed class CtrRunDeviceTests : IClassFixture<ContainerdFixture>, IClassFixture<EndToEndFixture>
{
    private static readonly TimeSpan QmpPatience = TimeSpan.FromSeconds(20);
    private readonly EndToEndFixture e2e;
    private readonly CtrRunner ctr;
    private readonly ITestOutputHelper output;

    public CtrRunDeviceTests(ContainerdFixture containerd, EndToEndFixture e2e, ITestOutputHelper output)
    {
        this.e2e = e2e;
        this.output = output;
        ctr = new CtrRunner(containerd, e2e.Rootfs);
    }

    [Fact]
    [Trait("Category", "Netns")]
    public async Task VfEndpoint_ColdPlugged_ItsInterfaceReachesTheAgentWithTheGuestPciPath()
    {
        using var netns = new PodNetns();
        var vf = e2e.Host.Vfs[0];
        var qdevId = $"vfio-{vf.Replace(':', '-')}";
        var config = e2e.WriteConfig("vf", "cold_plug_vfio = \"root-port\"\npcie_root_port = 2", QemuStandIn.Path);

        await using var pod = await ctr.StartAsync("d-vf", config,
            ["--with-ns", $"network:{netns.Path}", "--annotation", $"{PipelineHost.NetworkStatusAnnotation}={PipelineHost.NetworkStatus(vf)}"],
            "sleep", "1000");

        await using var qmp = await QmpClient.ConnectAsync(Observer("d-vf"), QmpPatience, CancellationToken.None);
        var planned = await GuestPciPathResolver.FromQomAsync(qmp, qdevId, QmpPatience, CancellationToken.None);
        // The VM runs (the shim sent cont): firmware lists the stand-in NIC at the very slot the shim resolved.
        (await GuestPciPathResolver.WaitForQueryPciAsync(qmp, qdevId, QmpPatience, CancellationToken.None)).ShouldBe(planned);
        var record = e2e.Agent.Record;
        output.WriteLine($"guest PCI path of {qdevId}: {planned}; agent record: {record}");
        var nic = record.Interfaces.OfType<JsonObject>().LastOrDefault(i => i["devicePath"]?.GetValue<string>() == planned.ToString());
        nic.ShouldNotBeNull($"no UpdateInterface with devicePath {planned} in {record.Interfaces.ToJsonString()}");
        nic["name"]?.GetValue<string>().ShouldBe(PodNetns.Interface);
        // The container is given the VF as Kata does: host BDF = guest PCI path.
        var container = record.Container("d-vf").ShouldNotBeNull(record.ToString());
        (container["devices"] as JsonArray ?? []).SelectMany(d => d?["options"] as JsonArray ?? []).Select(o => o?.GetValue<string>())
            .ShouldContain($"{vf}={planned}");
        output.WriteLine(string.Join('\n', ctr.Containerd.Log.Split('\n').Where(l => l.Contains(qdevId, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task TaskUpdateWithACpuLimit_HotAddsVcpus_AndTheAgentOnlinesThem()
    {
        var config = e2e.WriteConfig("cpus", "pcie_root_port = 1\ndefault_vcpus = 1\ndefault_maxvcpus = 4", QemuStandIn.Path);
        await using var pod = await ctr.StartAsync("d-cpu", config, "sleep", "1000");
        (await QemuStandIn.CountVcpusAsync(Observer("d-cpu"), QmpPatience, CancellationToken.None)).ShouldBe(1);

        await ShimTaskUpdate.CpuLimitAsync(ctr.Containerd, "d-cpu", quota: 200_000, period: 100_000, CtrRunner.Patience);

        // Kata's sizing: default_vcpus plus the containers' limits (quota / period, rounded up) = 1 + 2.
        (await QemuStandIn.CountVcpusAsync(Observer("d-cpu"), QmpPatience, CancellationToken.None)).ShouldBe(3);
        var online = e2e.Agent.Record.OnlineCpuMem.OfType<JsonObject>().LastOrDefault();
        online.ShouldNotBeNull($"no OnlineCPUMem in {e2e.Agent.Record}");
        online["nbCpus"]?.GetValue<int>().ShouldBe(3);
        online["cpuOnly"]?.GetValue<bool>().ShouldBe(true);
        var update = e2e.Agent.Record.UpdateContainer.OfType<JsonObject>().LastOrDefault(u => u["containerId"]?.GetValue<string>() == "d-cpu");
        update.ShouldNotBeNull($"no UpdateContainer for d-cpu in {e2e.Agent.Record}");
        update["resources"]?["CPU"]?["Quota"]?.ToString().ShouldBe("200000");
        ctr.Status("d-cpu").ShouldBe("RUNNING");
    }

    private string Observer(string id) => QemuStandIn.ObserverSocket(Path.Combine(e2e.Host.SandboxState(id), "qmp.sock"));
}
