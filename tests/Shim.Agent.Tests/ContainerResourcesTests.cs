using System.Globalization;
using System.Text.Json;
using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

/// <summary>UpdateContainer is recorded and merged over the spec's limits; StatsContainer counts the container's live process tree.</summary>
public sealed class ContainerResourcesTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    private const long MemoryLimit = 256L << 20;

    private static async Task StartAsync(RunningAgent agent, params string[] args)
    {
        var request = Containers.Create("c1", "/", Containers.Process("/", args));
        request.OCI.Linux.Resources.Memory = new LinuxMemory { Limit = MemoryLimit };
        await agent.Client.CreateContainerAsync(request, Ct);
        await agent.Client.StartContainerAsync("c1", Ct);
    }

    [Fact]
    public async Task UpdateContainer_is_recorded_in_memory_and_in_the_record_file()
    {
        await using var agent = await RunningAgent.StartAsync();
        await StartAsync(agent, "/bin/sleep", "100");
        var resources = new LinuxResources { CPU = new LinuxCPU { Quota = 150000, Period = 100000 }, Memory = new LinuxMemory { Limit = 512L << 20 } };

        await agent.Client.UpdateContainerAsync("c1", resources, Ct);

        var update = agent.Host.Record.Updates.ShouldHaveSingleItem();
        update.ContainerId.ShouldBe("c1");
        update.Resources.ShouldBe(resources);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(agent.RecordPath, Ct));
        var recorded = json.RootElement.GetProperty("updateContainer")[0];
        recorded.GetProperty("containerId").GetString().ShouldBe("c1");
        recorded.GetProperty("resources").GetProperty("CPU").GetProperty("Quota").GetString().ShouldBe("150000");
        recorded.GetProperty("resources").GetProperty("Memory").GetProperty("Limit").GetString().ShouldBe((512L << 20).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Update_and_stats_of_an_unknown_container_fail_with_code_13()
    {
        await using var agent = await RunningAgent.StartAsync();

        var update = await Should.ThrowAsync<AgentException>(() => agent.Client.UpdateContainerAsync("nope", new LinuxResources(), Ct));
        var stats = await Should.ThrowAsync<AgentException>(() => agent.Client.StatsContainerAsync("nope", Ct));

        update.Code.ShouldBe(StatusCode.Internal);
        update.AgentMessage.ShouldBe("container nope not found");
        stats.Code.ShouldBe(StatusCode.Internal);
        stats.Rpc.ShouldBe("grpc.AgentService/StatsContainer");
        agent.Host.Record.Updates.ShouldBeEmpty();
    }

    [Fact]
    public async Task Stats_count_every_live_process_of_the_container_including_descendants_and_execs()
    {
        await using var agent = await RunningAgent.StartAsync();
        // Forked before "started" is printed, so both children exist once it is read.
        await StartAsync(agent, "/bin/sh", "-c", "/bin/sleep 100 & /bin/sleep 100 & echo started; wait");
        (await agent.Client.ReadStdoutAsync("c1", "c1", Ct)).ToArray().ShouldBe("started\n"u8.ToArray());
        await agent.Client.ExecProcessAsync(new ExecProcessRequest { ContainerId = "c1", ExecId = "e1", Process = Containers.Process("/", "/bin/sleep", "100") }, Ct);

        (await agent.Client.StatsContainerAsync("c1", Ct)).CgroupStats.PidsStats.Current.ShouldBe(4ul);

        await agent.Client.SignalProcessAsync("c1", "e1", 9, Ct);
        (await agent.Client.WaitProcessAsync("c1", "e1", Ct)).ShouldBe(137);
        (await agent.Client.StatsContainerAsync("c1", Ct)).CgroupStats.PidsStats.Current.ShouldBe(3ul);
    }

    [Fact]
    public async Task Cpu_time_and_resident_memory_come_from_proc()
    {
        await using var agent = await RunningAgent.StartAsync();
        // Burns CPU in the shell itself, then shows its pid and idles (exec keeps the pid).
        await StartAsync(agent, "/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo $$; exec /bin/sleep 100");
        var pid = int.Parse(System.Text.Encoding.ASCII.GetString((await agent.Client.ReadStdoutAsync("c1", "c1", Ct)).Span).Trim(), CultureInfo.InvariantCulture);
        // The shell echoes before it execs sleep; mid-exec the process has no resident memory yet. Wait (bounded) for sleep.
        SpinWait.SpinUntil(() => File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep", TimeSpan.FromSeconds(10)).ShouldBeTrue("the shell never exec'd sleep");

        var stats = (await agent.Client.StatsContainerAsync("c1", Ct)).CgroupStats;

        var cpu = stats.CpuStats.CpuUsage;
        cpu.TotalUsage.ShouldBeGreaterThan(0ul);
        cpu.TotalUsage.ShouldBe(cpu.UsageInUsermode + cpu.UsageInKernelmode);
        cpu.TotalUsage.ShouldBeLessThan(60ul * 1_000_000_000); // nanoseconds, not ticks or microseconds gone wrong
        var residentPages = ulong.Parse((await File.ReadAllTextAsync($"/proc/{pid}/statm", Ct)).Split(' ')[1], CultureInfo.InvariantCulture);
        var resident = residentPages * (ulong)Environment.SystemPageSize;
        stats.MemoryStats.Usage.Usage.ShouldBeInRange(resident / 2, resident * 2);
        stats.PidsStats.Current.ShouldBe(1ul);
    }

    [Fact]
    public async Task Limits_are_the_spec_s_with_updates_merged_over_them()
    {
        await using var agent = await RunningAgent.StartAsync();
        await StartAsync(agent, "/bin/sleep", "100");
        (await agent.Client.StatsContainerAsync("c1", Ct)).CgroupStats.MemoryStats.Usage.Limit.ShouldBe((ulong)MemoryLimit);

        await agent.Client.UpdateContainerAsync("c1", new LinuxResources { Pids = new LinuxPids { Limit = 50 } }, Ct);

        var stats = (await agent.Client.StatsContainerAsync("c1", Ct)).CgroupStats;
        stats.PidsStats.Limit.ShouldBe(50ul);
        stats.MemoryStats.Usage.Limit.ShouldBe((ulong)MemoryLimit);
    }
}
