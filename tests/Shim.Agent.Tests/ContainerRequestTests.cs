using System.Text.Json;
using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

/// <summary>The test agent records CreateContainer as sent and refuses what the real agent refuses (§2.8).</summary>
public sealed class ContainerRequestTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    private static CreateContainerRequest WithVfio(string option)
    {
        var request = Containers.Create("c1", "/", Containers.Process("/", "/bin/true"));
        request.OCI.Linux.Devices.Add(new LinuxDevice { Path = "/dev/vfio/12", Type = "c", Major = 241, Minor = 0 });
        request.Devices.Add(new Device { Id = "12", Type = "vfio-pci", ContainerPath = "/dev/vfio/12", Options = { option } });
        return request;
    }

    [Fact]
    public async Task A_VFIO_device_with_its_guest_PCI_path_is_recorded_as_sent()
    {
        await using var agent = await RunningAgent.StartAsync();

        await agent.Client.CreateContainerAsync(WithVfio("0000:3b:00.2=02/00"), Ct);

        agent.Host.Record.Containers.ShouldHaveSingleItem().Devices.ShouldHaveSingleItem().Options.ShouldBe(["0000:3b:00.2=02/00"]);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(agent.RecordPath, Ct));
        var device = json.RootElement.GetProperty("createContainer")[0].GetProperty("devices")[0];
        device.GetProperty("containerPath").GetString().ShouldBe("/dev/vfio/12");
        device.GetProperty("options")[0].GetString().ShouldBe("0000:3b:00.2=02/00");
    }

    [Theory]
    [InlineData("3b:00.2=02/00", "invalid VFIO option '3b:00.2=02/00'")]
    [InlineData("0000:3b:00.2", "invalid VFIO option '0000:3b:00.2'")]
    public async Task A_malformed_VFIO_option_is_refused_with_code_13(string option, string message)
    {
        await using var agent = await RunningAgent.StartAsync();

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.CreateContainerAsync(WithVfio(option), Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldStartWith(message);
        agent.Host.Record.Containers.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_device_missing_from_the_spec_and_a_9p_storage_are_refused_as_the_agent_does()
    {
        await using var agent = await RunningAgent.StartAsync();
        var missing = WithVfio("0000:3b:00.2=02/00");
        missing.OCI.Linux.Devices.Clear();
        var ninePee = Containers.Create("c2", "/", Containers.Process("/", "/bin/true"));
        ninePee.Storages.Add(new Storage { Driver = "9p", Source = "kataShared", Fstype = "9p", MountPoint = "/run/kata-containers/shared/containers/" });

        (await Should.ThrowAsync<AgentException>(() => agent.Client.CreateContainerAsync(missing, Ct)))
            .AgentMessage.ShouldBe("Missing devices in OCI spec: /dev/vfio/12");
        (await Should.ThrowAsync<AgentException>(() => agent.Client.CreateContainerAsync(ninePee, Ct)))
            .AgentMessage.ShouldBe("Failed to find the storage handler 9p");
    }
}
