using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.Agent.Tests;

/// <summary>Processes with <c>Terminal</c>: a pty as stdio and controlling terminal, read through ReadStdout only.</summary>
public sealed class TerminalTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    private static Process Tty(string cwd, params string[] args)
    {
        var process = Containers.Process(cwd, args);
        process.Terminal = true;
        return process;
    }

    private static async Task StartAsync(RunningAgent agent, string rootfs, Process process)
    {
        await agent.Client.CreateContainerAsync(Containers.Create("c1", rootfs, process), Ct);
        await agent.Client.StartContainerAsync("c1", Ct);
    }

    /// <summary>Reads the pty until <paramref name="expected"/> has appeared (bounded by the test deadline).</summary>
    private static async Task<string> ReadUntilAsync(AgentClient client, string execId, string expected)
    {
        var ct = Ct;
        var text = new System.Text.StringBuilder();
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var chunk = await client.ReadStdoutAsync("c1", execId, ct);
            if (chunk.IsEmpty)
            {
                throw new ShouldAssertException($"EOF before '{expected}'; got '{text}'");
            }
            text.Append(System.Text.Encoding.UTF8.GetString(chunk.Span));
        }
        return text.ToString();
    }

    [Fact]
    public async Task Stdio_is_the_pty_which_is_also_the_controlling_terminal_and_stderr_reads_EOF_at_once()
    {
        await using var agent = await RunningAgent.StartAsync();
        await StartAsync(agent, "/", Tty("/", "/bin/sh", "-c",
            "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; echo to-stderr >&2; exec 3</dev/tty && echo ctty; read -r _ _ _ _ _ sid _ </proc/$$/stat; [ \"$sid\" -eq $$ ] && echo leader"));

        (await agent.Client.ReadStderrAsync("c1", "c1", Ct)).IsEmpty.ShouldBeTrue();
        var output = await Containers.ReadTextAsync(agent.Client, "c1", "c1");

        output.ShouldBe("all-tty\r\nto-stderr\r\nctty\r\nleader\r\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Input_written_to_the_pty_is_echoed_and_read_by_the_process()
    {
        await using var agent = await RunningAgent.StartAsync();
        await StartAsync(agent, "/", Tty("/", "/bin/sh", "-c", "read line; echo \"got:$line\""));

        await agent.Client.WriteStdinAsync("c1", "c1", "ping\n"u8.ToArray(), Ct);

        // The terminal echoes the input (ECHO, ONLCR), then the process answers.
        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("ping\r\ngot:ping\r\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task TtyWinResize_sets_the_size_stty_sees_inside_a_chroot()
    {
        await using var agent = await RunningAgent.StartAsync();
        // "/." goes through chroot(8), like a container rootfs.
        await StartAsync(agent, "/.", Tty("/tmp", "/bin/sh", "-c", "stty size; echo ready; read line; stty size; pwd"));
        await ReadUntilAsync(agent.Client, "c1", "ready");

        await agent.Client.TtyWinResizeAsync("c1", "c1", 33, 121, Ct);
        await agent.Client.WriteStdinAsync("c1", "c1", "\n"u8.ToArray(), Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldEndWith("33 121\r\n/tmp\r\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task The_console_size_of_the_spec_applies_from_the_start()
    {
        await using var agent = await RunningAgent.StartAsync();
        var process = Tty("/", "/bin/stty", "size");
        process.ConsoleSize = new Box { Height = 40, Width = 132 };

        await StartAsync(agent, "/", process);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("40 132\r\n");
    }

    [Fact]
    public async Task An_exec_with_a_terminal_gets_its_own_pty_and_CloseStdin_ends_its_input()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");
        await agent.Client.ExecProcessAsync(new ExecProcessRequest { ContainerId = "c1", ExecId = "e1", Process = Tty("/", "/bin/cat") }, Ct);
        await agent.Client.TtyWinResizeAsync("c1", "e1", 24, 80, Ct);

        await agent.Client.WriteStdinAsync("c1", "e1", "abc\n"u8.ToArray(), Ct);
        await ReadUntilAsync(agent.Client, "e1", "abc\r\nabc\r\n");
        await agent.Client.CloseStdinAsync("c1", "e1", Ct);

        (await agent.Client.WaitProcessAsync("c1", "e1", Ct)).ShouldBe(0);
        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.TtyWinResizeAsync("c1", "c1", 24, 80, Ct));
        ex.Code.ShouldBe(StatusCode.Unavailable);
    }

    [Fact]
    public async Task A_missing_program_with_a_terminal_fails_StartContainer_with_code_13()
    {
        await using var agent = await RunningAgent.StartAsync();
        await agent.Client.CreateContainerAsync(Containers.Create("c1", "/", Tty("/", "/nonexistent/bin")), Ct);

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.StartContainerAsync("c1", Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldContain("/nonexistent/bin");
    }
}
