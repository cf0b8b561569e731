using Shim.Ttrpc;

namespace Shim.Agent.Tests;

public sealed class ProcessTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task Echo_hello_comes_back_on_stdout_and_exits_0()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/echo", "hello");

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("hello\n");
        (await Containers.ReadTextAsync(agent.Client, "c1", "c1", stderr: true)).ShouldBeEmpty();
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task A_process_starts_with_SIGPIPE_at_its_default_so_a_closed_pipe_ends_it_quietly()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sh", "-c", "yes | head -n 1; grep SigIgn /proc/self/status");

        var stdout = await Containers.ReadTextAsync(agent.Client, "c1", "c1");
        (await Containers.ReadTextAsync(agent.Client, "c1", "c1", stderr: true)).ShouldBeEmpty(); // no "Broken pipe"
        stdout.ShouldStartWith("y\n");
        // Bit 13 (SIGPIPE, mask 0x1000) is not ignored.
        (Convert.ToUInt64(stdout.Split('\t')[1].Trim(), 16) & 0x1000).ShouldBe(0ul);
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Exit_status_7_is_returned_by_WaitProcess()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sh", "-c", "echo oops >&2; exit 7");

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1", stderr: true)).ShouldBe("oops\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(7);
    }

    [Fact]
    public async Task Env_and_cwd_are_applied_inside_a_chroot_rootfs()
    {
        await using var agent = await RunningAgent.StartAsync();
        var process = Containers.Process("/tmp", "/bin/sh", "-c", "echo \"$GREETING\"; pwd");
        process.Env.Add("GREETING=hi there");
        // "/." is the host root reached through chroot(8): exercises the rootfs path without building an image.
        await agent.Client.CreateContainerAsync(Containers.Create("c1", "/.", process), Ct);
        await agent.Client.StartContainerAsync("c1", Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("hi there\n/tmp\n");
        (await agent.Client.WaitProcessAsync("c1", "", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task One_MiB_of_binary_stdin_piped_to_cat_comes_back_byte_for_byte()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/cat");
        var input = new byte[1 << 20];
        new Random(42).NextBytes(input);

        var reader = Task.Run(() => Containers.ReadToEndAsync(agent.Client, "c1", "c1", stderr: false), Ct);
        for (var offset = 0; offset < input.Length; offset += 64 * 1024)
        {
            var chunk = input.AsMemory(offset, Math.Min(64 * 1024, input.Length - offset));
            (await agent.Client.WriteStdinAsync("c1", "c1", chunk, Ct)).ShouldBe((uint)chunk.Length);
        }
        await agent.Client.CloseStdinAsync("c1", "c1", Ct);

        (await reader).ShouldBe(input);
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Empty_WriteStdin_closes_stdin_like_runtime_rs()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/cat");
        await agent.Client.WriteStdinAsync("c1", "c1", "abc"u8.ToArray(), Ct);
        await agent.Client.WriteStdinAsync("c1", "c1", ReadOnlyMemory<byte>.Empty, Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("abc");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
    }

    [Fact]
    public async Task ExecProcess_runs_an_extra_process_in_the_container()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");
        var exec = new Protocol.ExecProcessRequest { ContainerId = "c1", ExecId = "e1", Process = Containers.Process("/", "/bin/sh", "-c", "echo from-exec; exit 3") };

        await agent.Client.ExecProcessAsync(exec, Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "e1")).ShouldBe("from-exec\n");
        (await agent.Client.WaitProcessAsync("c1", "e1", Ct)).ShouldBe(3);
        await agent.Client.SignalProcessAsync("c1", "", 9, Ct);
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(128 + 9);
    }

    [Fact]
    public async Task SignalProcess_SIGKILL_on_sleep_gives_status_128_plus_9()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");
        var wait = agent.Client.WaitProcessAsync("c1", "c1", Ct);

        await agent.Client.SignalProcessAsync("c1", "c1", 9, Ct);

        (await wait).ShouldBe(137);
    }

    [Fact]
    public async Task SignalProcess_delivers_other_signals_to_the_init_process()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");

        await agent.Client.SignalProcessAsync("c1", "", 15, Ct);

        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(128 + 15);
    }

    [Fact]
    public async Task A_reaped_process_answers_NOT_FOUND_and_an_unknown_container_INVALID_ARGUMENT()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/true");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);

        var reaped = await Should.ThrowAsync<AgentException>(() => agent.Client.WaitProcessAsync("c1", "c1", Ct));
        reaped.Code.ShouldBe(StatusCode.NotFound);
        var unknown = await Should.ThrowAsync<AgentException>(() => agent.Client.ReadStdoutAsync("nope", "nope", Ct));
        unknown.Code.ShouldBe(StatusCode.InvalidArgument);
        unknown.AgentMessage.ShouldBe("container nope not found");
        unknown.Rpc.ShouldBe("grpc.AgentService/ReadStdout");
    }

    [Fact]
    public async Task CreateContainer_errors_carry_code_13_and_the_agent_message_verbatim()
    {
        await using var agent = await RunningAgent.StartAsync();
        var bad = Containers.Create("-bad", "/", Containers.Process("/", "/bin/true"));

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.CreateContainerAsync(bad, Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldBe("invalid container ID: '-bad'");
    }

    [Fact]
    public async Task RemoveContainer_kills_and_reaps_its_processes()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sh", "-c", "echo $$; exec /bin/sleep 100");
        var firstLine = System.Text.Encoding.ASCII.GetString((await agent.Client.ReadStdoutAsync("c1", "c1", Ct)).Span);
        var pid = int.Parse(firstLine.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Directory.Exists($"/proc/{pid}").ShouldBeTrue();

        await agent.Client.RemoveContainerAsync("c1", Ct);

        Directory.Exists($"/proc/{pid}").ShouldBeFalse();
        var gone = await Should.ThrowAsync<AgentException>(() => agent.Client.WaitProcessAsync("c1", "c1", Ct));
        gone.Code.ShouldBe(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task TtyWinResize_on_a_process_without_terminal_is_UNAVAILABLE()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/sleep", "100");

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.TtyWinResizeAsync("c1", "c1", 24, 80, Ct));

        ex.Code.ShouldBe(StatusCode.Unavailable);
        ex.AgentMessage.ShouldBe("no tty");
    }

    [Fact]
    public async Task A_missing_binary_fails_StartContainer_with_code_13_naming_it()
    {
        await using var agent = await RunningAgent.StartAsync();
        await agent.Client.CreateContainerAsync(Containers.Create("c1", "/", Containers.Process("/", "/nonexistent/bin")), Ct);

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.StartContainerAsync("c1", Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldContain("/nonexistent/bin");
    }

    [Fact]
    public async Task A_chrooted_process_gets_proc_and_a_minimal_dev_in_its_own_mount_namespace_which_vanish_with_it()
    {
        await using var agent = await RunningAgent.StartAsync();
        var rootfs = await TinyRootfs.BuildAsync(Path.Combine(agent.Directory, "rootfs"), Ct, "/bin/sh", "/bin/cat", "/usr/bin/head", "/usr/bin/wc");
        Directory.CreateDirectory(Path.Combine(rootfs, "proc"));
        Directory.CreateDirectory(Path.Combine(rootfs, "dev"));
        await Containers.RunAsync(agent.Client, "c1", rootfs, "/bin/sh", "-c", "head -c 4096 /dev/zero | wc -c; cat /proc/self/comm; echo x > /dev/null && echo null-ok");

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("4096\ncat\nnull-ok\n");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(0);
        // The mounts lived in the process's namespace only: the host sees none under the rootfs.
        File.ReadAllText("/proc/self/mountinfo").ShouldNotContain(rootfs);
        Directory.GetFileSystemEntries(Path.Combine(rootfs, "dev")).ShouldBeEmpty("the device nodes were made on the namespace's tmpfs, not in the rootfs");
    }

    [Fact]
    public async Task The_process_is_chrooted_into_a_tiny_rootfs_and_sees_only_its_files()
    {
        await using var agent = await RunningAgent.StartAsync();
        var rootfs = await TinyRootfs.BuildAsync(Path.Combine(agent.Directory, "rootfs"), Ct, "/bin/sh", "/bin/cat");
        var expected = string.Join(' ', Directory.GetFileSystemEntries(rootfs).Select(e => "/" + Path.GetFileName(e)).Order(StringComparer.Ordinal));
        await agent.Client.CreateContainerAsync(
            Containers.Create("c1", rootfs, Containers.Process("/bin", "/bin/sh", "-c", "echo /*; pwd; cat /etc/hostname")), Ct);
        await agent.Client.StartContainerAsync("c1", Ct);

        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe($"{expected}\n/bin\n");
        (await Containers.ReadTextAsync(agent.Client, "c1", "c1", stderr: true)).ShouldContain("/etc/hostname");
        (await agent.Client.WaitProcessAsync("c1", "c1", Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task A_second_StartContainer_is_refused_and_does_not_launch_twice()
    {
        await using var agent = await RunningAgent.StartAsync();
        await Containers.RunAsync(agent.Client, "c1", "/", "/bin/echo", "once");

        var ex = await Should.ThrowAsync<AgentException>(() => agent.Client.StartContainerAsync("c1", Ct));

        ex.Code.ShouldBe(StatusCode.Internal);
        ex.AgentMessage.ShouldBe("process c1 already started");
        (await Containers.ReadTextAsync(agent.Client, "c1", "c1")).ShouldBe("once\n");
    }
}
