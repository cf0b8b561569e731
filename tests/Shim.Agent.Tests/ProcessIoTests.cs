using System.Text;

namespace Shim.Agent.Tests;

public sealed class ProcessIoTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task Stream_loops_pipe_host_streams_through_a_process_and_split_stdout_from_stderr()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sh", "-c", "cat; echo done >&2");
        var input = new byte[300 * 1024];
        new Random(3).NextBytes(input);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        var outLoop = AgentProcessIo.CopyOutputAsync(agent.Client, "c1", "c1", stderr: false, stdout, Ct);
        var errLoop = AgentProcessIo.CopyOutputAsync(agent.Client, "c1", "c1", stderr: true, stderr, Ct);
        var sent = await AgentProcessIo.CopyInputAsync(agent.Client, "c1", "c1", new MemoryStream(input), Ct);

        sent.ShouldBe(input.Length);
        (await outLoop).ShouldBe(input.Length);
        (await errLoop).ShouldBe(5);
        stdout.ToArray().ShouldBe(input);
        Encoding.ASCII.GetString(stderr.ToArray()).ShouldBe("done\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Empty_input_still_closes_stdin_so_the_reader_ends()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/cat");
        using var stdout = new MemoryStream();

        var outLoop = AgentProcessIo.CopyOutputAsync(agent.Client, "c1", "c1", stderr: false, stdout, Ct);
        (await AgentProcessIo.CopyInputAsync(agent.Client, "c1", "c1", Stream.Null, Ct)).ShouldBe(0);

        (await outLoop).ShouldBe(0);
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }
}
