using System.Text.Json;
using Shim.Agent.Protocol;
using Shim.TestAgent;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

/// <summary><c>--shared-root</c>: guest paths under the kataShared mount point live in a host directory per sandbox.</summary>
public sealed class SharedRootTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    private static Task<RunningAgent> StartAsync() =>
        RunningAgent.StartAsync(o => o with { SharedRoot = Path.Combine(Path.GetDirectoryName(o.SocketPath)!, "{sandbox}", "shared") });

    [Fact]
    public async Task A_root_path_under_the_kataShared_mount_point_runs_from_the_sandbox_s_host_directory()
    {
        await using var agent = await StartAsync();
        var hostShared = Path.Combine(agent.Directory, "sb1", "shared");
        var rootfs = await Sandboxes.ShareRootfsAsync(hostShared, "c1", "rootfs of c1");
        var entries = string.Join(' ', Directory.GetFileSystemEntries(rootfs).Select(e => "/" + Path.GetFileName(e)).Order(StringComparer.Ordinal));
        await agent.Client.CreateSandboxAsync(Sandboxes.Create("sb1"), Ct);

        await agent.Client.CreateContainerAsync(
            Containers.Create("c1", Sandboxes.GuestRootfs("c1"), Containers.Process("/", "/bin/sh", "-c", "cat /name; echo /*")), Ct);
        await agent.Client.StartContainerAsync("c1", Ct);
        await agent.Client.ExecProcessAsync(new ExecProcessRequest { ContainerId = "c1", ExecId = "e1", Process = Containers.Process("/", "/bin/cat", "/name") }, Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe($"rootfs of c1\n{entries}\n");
        entries.ShouldContain("/name");
        (await Containers.ReadTextAsync(agent.Client, "c1", "e1")).ShouldBe("rootfs of c1\n");
        agent.Host.Service.Share.ShouldBe(new SandboxShare("/run/kata-containers/shared/containers", hostShared));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(agent.RecordPath, Ct));
        var storage = json.RootElement.GetProperty("createSandbox")[0].GetProperty("storages")[0];
        storage.GetProperty("source").GetString().ShouldBe("kataShared");
        storage.GetProperty("mountPoint").GetString().ShouldBe(Sandboxes.GuestShared);
    }

    [Fact]
    public async Task A_rootfs_missing_from_the_shared_directory_fails_CreateContainer_naming_the_host_directory()
    {
        await using var agent = await StartAsync();
        await agent.Client.CreateSandboxAsync(Sandboxes.Create("sb1"), Ct);

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.CreateContainerAsync(
            Containers.Create("c1", Sandboxes.GuestRootfs("c1"), Containers.Process("/", "/bin/true")), Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldBe(
            $"rootfs '{Sandboxes.GuestRootfs("c1")}' of c1 does not exist (host directory '{Path.Combine(agent.Directory, "sb1", "shared", "c1", "rootfs")}'); share the rootfs before CreateContainer");
    }

    [Fact]
    public async Task The_sandbox_placeholder_needs_a_sandbox_id_and_CreateSandbox_is_accepted_once()
    {
        await using var agent = await StartAsync();

        var noId = await Should.ThrowAsync<AgentException>(() => agent.Client.CreateSandboxAsync(Sandboxes.Create(""), Ct));
        await agent.Client.CreateSandboxAsync(Sandboxes.Create("sb1"), Ct);
        var again = await Should.ThrowAsync<AgentException>(() => agent.Client.CreateSandboxAsync(Sandboxes.Create("sb2"), Ct));

        noId.Code.ShouldBe(StatusCode.Internal);
        noId.AgentMessage.ShouldContain("needs CreateSandbox.sandbox_id");
        again.Code.ShouldBe(StatusCode.Internal);
        again.AgentMessage.ShouldStartWith("sandbox 'sb1' already created");
        agent.Host.Record.Sandboxes.ShouldHaveSingleItem().SandboxId.ShouldBe("sb1");
    }

    [Fact]
    public async Task Paths_outside_the_mount_point_and_sandboxes_without_kataShared_are_not_translated()
    {
        var share = new SandboxShare("/run/kata-containers/shared/containers", "/host/sb1");

        share.ToHost("/run/kata-containers/shared/containers/c1/rootfs").ShouldBe("/host/sb1/c1/rootfs");
        share.ToHost("/run/kata-containers/shared/containers/").ShouldBe("/host/sb1");
        share.ToHost("/run/kata-containers/shared/containers-other/x").ShouldBe("/run/kata-containers/shared/containers-other/x");
        share.ToHost("/tmp").ShouldBe("/tmp");
        SandboxShare.From([new Storage { Driver = "ephemeral", Source = "shm" }], "/host/{sandbox}", "sb1").ShouldBeNull();
        SandboxShare.From([Sandboxes.KataShared], null, "sb1").ShouldBeNull();
    }
}
