using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Shim.Qmp;

namespace Shim.Qemu.Tests;

[Trait("Category", "Qemu")]
public sealed class QmpClientQemuTests
{
    private static readonly TimeSpan T = TestVm.Deadline;

    [Fact]
    public async Task Handshake_reports_version_and_paused_status()
    {
        await using var vm = await TestVm.StartAsync();
        vm.Qmp.Greeting.Version.Major.ShouldBe(7);
        vm.Qmp.Greeting.Version.Minor.ShouldBe(2);
        vm.Qmp.Greeting.Capabilities.ShouldContain("oob");
        var status = await vm.Qmp.ExecuteAsync("query-status", null, T, CancellationToken.None);
        status!["status"]!.GetValue<string>().ShouldBe("prelaunch");
        status["running"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Command_before_capabilities_is_refused_by_QEMU()
    {
        // Raw socket: our client always negotiates first, so speak to a second QMP monitor directly.
        await using var vm = await TestVm.StartAsync(s => s with { ExtraArguments = ["-qmp", $"unix:{Path.GetDirectoryName(s.QmpSocketPath)}/raw.sock,server=on,wait=off"] });
        using var sock = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await sock.ConnectAsync(new UnixDomainSocketEndPoint(vm.Dir.File("raw.sock")));
        using var reader = new StreamReader(new NetworkStream(sock), Encoding.UTF8);
        (await reader.ReadLineAsync())!.ShouldContain("\"QMP\"");
        await sock.SendAsync(Encoding.UTF8.GetBytes("{\"execute\": \"query-status\"}\n"), SocketFlags.None);
        var reply = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        reply["error"]!["class"]!.GetValue<string>().ShouldBe("CommandNotFound");
        reply["error"]!["desc"]!.GetValue<string>().ShouldBe("Expecting capabilities negotiation with 'qmp_capabilities'");
    }

    [Fact]
    public async Task Concurrent_callers_each_get_their_own_reply()
    {
        var topo = QemuTopology.WithRootPorts(4);
        await using var vm = await TestVm.StartAsync(s => s with { Topology = topo });
        // qom-get addr of each root port differs (slots 1..4): a mismatched reply would show.
        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            var port = $"rp{i % 4}";
            var addr = await vm.Qmp.ExecuteAsync("qom-get", new JsonObject { ["path"] = $"/machine/peripheral/{port}", ["property"] = "addr" }, T, CancellationToken.None);
            return (i, addr!.GetValue<int>());
        });
        foreach (var (i, addr) in await Task.WhenAll(calls)) addr.ShouldBe(((i % 4) + 1) << 3);
    }

    [Fact]
    public async Task Event_subscribed_before_the_command_is_delivered()
    {
        await using var vm = await TestVm.StartAsync();
        using var resume = vm.Qmp.Subscribe("RESUME");
        using var stop = vm.Qmp.Subscribe("STOP");
        await vm.Qmp.ExecuteAsync("cont", null, T, CancellationToken.None);
        (await resume.WaitAsync(T, CancellationToken.None)).Name.ShouldBe("RESUME");
        await vm.Qmp.ExecuteAsync("stop", null, T, CancellationToken.None);
        var e = await stop.WaitAsync(T, CancellationToken.None);
        e.Data.ShouldBeNull();
        e.Timestamp.Year.ShouldBeGreaterThan(2020);
    }

    [Fact]
    public async Task Event_wait_times_out_with_the_deadline()
    {
        await using var vm = await TestVm.StartAsync();
        using var sub = vm.Qmp.Subscribe("DEVICE_DELETED");
        (await sub.TryWaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None)).ShouldBeNull();
        var ex = await Should.ThrowAsync<QmpTimeoutException>(() => sub.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        ex.Message.ShouldContain(vm.Qmp.SocketPath);
    }

    [Fact]
    public async Task Command_times_out_while_QEMU_is_stopped_and_the_client_recovers()
    {
        await using var vm = await TestVm.StartAsync();
        vm.Signal(TestVm.SIGSTOP);
        var ex = await Should.ThrowAsync<QmpTimeoutException>(() => vm.Qmp.ExecuteAsync("query-status", null, TimeSpan.FromMilliseconds(100), CancellationToken.None));
        ex.What.ShouldBe("command 'query-status'");
        vm.Signal(TestVm.SIGCONT);
        // The late reply to the timed-out call is dropped; the next call gets its own reply.
        var r = await vm.Qmp.ExecuteAsync("query-kvm", null, T, CancellationToken.None);
        r!["enabled"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task Cancellation_ends_a_pending_command()
    {
        await using var vm = await TestVm.StartAsync();
        vm.Signal(TestVm.SIGSTOP);
        using var cts = new CancellationTokenSource();
        var call = vm.Qmp.ExecuteAsync("query-status", null, T, cts.Token);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task QEMU_killed_mid_command_fails_every_pending_call_at_once()
    {
        await using var vm = await TestVm.StartAsync();
        vm.Signal(TestVm.SIGSTOP); // Commands now stay pending: QEMU cannot answer.
        var calls = Enumerable.Range(0, 5).Select(_ => vm.Qmp.ExecuteAsync("query-status", null, TimeSpan.FromSeconds(60), CancellationToken.None)).ToArray();
        using var sub = vm.Qmp.Subscribe("DEVICE_DELETED");
        var wait = sub.WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var sw = Stopwatch.StartNew();
        vm.Signal(TestVm.SIGKILL);
        foreach (var c in calls)
        {
            var ex = await Should.ThrowAsync<QmpConnectionLostException>(() => c);
            ex.SocketPath.ShouldBe(vm.Qmp.SocketPath);
            ex.Message.ShouldContain(vm.Qmp.SocketPath);
        }
        await Should.ThrowAsync<QmpConnectionLostException>(() => wait);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        // Later calls fail immediately too.
        await Should.ThrowAsync<QmpConnectionLostException>(() => vm.Qmp.ExecuteAsync("query-status", null, T, CancellationToken.None));
        (await vm.Process.Exited).ShouldBe(128 + TestVm.SIGKILL);
        (await vm.Process.DescribeExitAsync(T))!.ShouldContain("exited with code 137 (signal 9)");
        (await vm.Qmp.Closed).ShouldBeOfType<QmpConnectionLostException>();
    }
}
