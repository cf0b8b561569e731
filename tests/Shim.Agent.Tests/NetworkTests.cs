using System.Text.Json;
using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class NetworkTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    private static Interface Eth0() => new()
    {
        Device = "eth0",
        Name = "eth0",
        Mtu = 1500,
        HwAddr = "02:00:ca:fe:00:01",
        DevicePath = "02/00",
        Type = "physical",
        IPAddresses = { new IPAddress { Family = IPFamily.V4, Address = "10.88.0.5", Mask = "24" } },
    };

    [Fact]
    public async Task UpdateInterface_is_echoed_and_recorded_with_its_PCI_path_in_memory_and_in_the_JSON_file()
    {
        await using var agent = await RunningAgent.StartAsync();

        var applied = await agent.Client.UpdateInterfaceAsync(Eth0(), Ct);

        applied.ShouldBe(Eth0());
        agent.Host.Record.Interfaces.ShouldHaveSingleItem().DevicePath.ShouldBe("02/00");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(agent.RecordPath, Ct));
        var nic = json.RootElement.GetProperty("interfaces")[0];
        nic.GetProperty("devicePath").GetString().ShouldBe("02/00");
        nic.GetProperty("hwAddr").GetString().ShouldBe("02:00:ca:fe:00:01");
        nic.GetProperty("IPAddresses")[0].GetProperty("mask").GetString().ShouldBe("24");
    }

    [Fact]
    public async Task UpdateRoutes_returns_the_guest_route_list_and_ARP_and_OnlineCPUMem_are_recorded()
    {
        await using var agent = await RunningAgent.StartAsync();
        var routes = new[]
        {
            new Route { Dest = "10.88.0.0/24", Device = "eth0", Scope = 253 },
            new Route { Gateway = "10.88.0.1", Device = "eth0" },
        };

        var reply = await agent.Client.UpdateRoutesAsync(routes, Ct);
        await agent.Client.AddARPNeighborsAsync(
            [new ARPNeighbor { ToIPAddress = new IPAddress { Address = "10.88.0.1" }, Device = "eth0", Lladdr = "02:00:00:00:00:01", State = 0x80 }], Ct);
        await agent.Client.OnlineCPUMemAsync(new OnlineCPUMemRequest { NbCpus = 4, CpuOnly = true }, Ct);

        reply.ShouldBe(routes);
        agent.Host.Record.Neighbors.ShouldHaveSingleItem().Lladdr.ShouldBe("02:00:00:00:00:01");
        agent.Host.Record.OnlineCpuMem.ShouldHaveSingleItem().ShouldBe(new OnlineCPUMemRequest { NbCpus = 4, CpuOnly = true });
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(agent.RecordPath, Ct));
        json.RootElement.GetProperty("routes").GetArrayLength().ShouldBe(2);
        json.RootElement.GetProperty("onlineCpuMem")[0].GetProperty("nbCpus").GetInt32().ShouldBe(4);
    }

    [Fact]
    public async Task Missing_interface_is_INVALID_ARGUMENT_as_the_agent_answers()
    {
        await using var agent = await RunningAgent.StartAsync();

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.UpdateInterfaceAsync(null!, Ct));

        ex.Code.ShouldBe(StatusCode.InvalidArgument);
        agent.Host.Record.Interfaces.ShouldBeEmpty();
    }

    [Fact]
    public async Task CreateSandbox_and_DestroySandbox_are_recorded_and_destroy_drops_the_connection()
    {
        await using var agent = await RunningAgent.StartAsync();
        var sandbox = new CreateSandboxRequest { Hostname = "pod1", SandboxId = "sb1", Dns = { "nameserver 10.0.0.1" } };
        sandbox.Storages.Add(new Storage { Driver = "virtio-fs", Source = "kataShared", Fstype = "virtiofs", MountPoint = "/run/kata-containers/shared/containers/" });

        await agent.Client.CreateSandboxAsync(sandbox, Ct);
        await agent.Client.DestroySandboxAsync(Ct);

        agent.Host.Record.Sandboxes.ShouldHaveSingleItem().ShouldBe(sandbox);
        agent.Host.Record.DestroySandboxCount.ShouldBe(1);
        await agent.Client.Completion.WaitAsync(Ct);
        agent.Client.IsClosed.ShouldBeTrue();
    }
}
