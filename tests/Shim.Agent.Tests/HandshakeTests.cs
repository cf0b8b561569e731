using System.Net.Sockets;
using System.Text;
using Shim.TestAgent;

namespace Shim.Agent.Tests;

public sealed class HandshakeTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public void Connect_line_is_upper_case_decimal_port_and_newline()
    {
        Encoding.ASCII.GetString(HybridVsockHandshake.ConnectLine(1024)).ShouldBe("CONNECT 1024\n");
    }

    [Fact]
    public async Task Good_handshake_sends_CONNECT_1024_and_returns_the_muxer_port()
    {
        await using var vmm = new FakeVmm("OK 1073741825\n");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(vmm.SocketPath), Ct);

        var hostPort = await HybridVsockHandshake.PerformAsync(socket, 1024, "test", TimeSpan.FromSeconds(10), Ct);

        hostPort.ShouldBe(1073741825u);
        (await vmm.FirstLine).ShouldBe("CONNECT 1024");
    }

    [Fact]
    public async Task Good_handshake_through_the_test_agent_muxer_then_ttrpc_works()
    {
        await using var agent = await RunningAgent.StartAsync();

        (await agent.Client.CheckAsync(Ct)).Status.ShouldBe(Protocol.HealthCheckResponse.Types.ServingStatus.Serving);
        agent.Host.Muxer.Refused.ShouldBe(0);
    }

    [Fact]
    public async Task Bad_port_is_dropped_by_the_muxer_and_reported_as_no_guest_listener()
    {
        await using var agent = await RunningAgent.StartAsync();
        var wrongPort = agent.Host.HybridEndpoint with { Port = 1025 };

        var ex = await Should.ThrowAsync<AgentConnectException>(() => AgentClient.ConnectAsync(wrongPort, Ct));

        ex.Message.ShouldContain("closed the connection after 'CONNECT 1025'");
        ex.Endpoint.ShouldBe(wrongPort.ToString());
        agent.Host.Muxer.Refused.ShouldBe(1);
    }

    [Fact]
    public async Task Garbage_instead_of_CONNECT_is_dropped_without_a_reply()
    {
        await using var agent = await RunningAgent.StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.Host.Options.SocketPath), Ct);

        await socket.SendAsync("\x00\x00\x00\x10garbage\n"u8.ToArray(), SocketFlags.None, Ct);

        (await socket.ReceiveAsync(new byte[16], SocketFlags.None, Ct)).ShouldBe(0);
        agent.Host.Muxer.Refused.ShouldBe(1);
    }

    [Fact]
    public async Task Reply_that_is_not_OK_fails_with_the_reply_text()
    {
        await using var vmm = new FakeVmm("ERR no such port\n");

        var ex = await Should.ThrowAsync<AgentConnectException>(() =>
            AgentClient.ConnectAsync(new HybridVsockAgentEndpoint(vmm.SocketPath), Ct));

        ex.Message.ShouldContain("'ERR no such port'");
    }

    [Fact]
    public async Task Reply_without_newline_is_bounded()
    {
        await using var vmm = new FakeVmm(new string('x', 100));

        var ex = await Should.ThrowAsync<AgentConnectException>(() =>
            AgentClient.ConnectAsync(new HybridVsockAgentEndpoint(vmm.SocketPath), Ct));

        ex.Message.ShouldContain("longer than 64 bytes");
    }

    [Fact]
    public async Task Silent_VMM_fails_the_handshake_at_its_deadline()
    {
        await using var vmm = new FakeVmm(reply: null);
        var timeouts = AgentTimeouts.Kata with { Handshake = TimeSpan.FromMilliseconds(200) };

        var ex = await Should.ThrowAsync<AgentConnectException>(() =>
            AgentClient.ConnectAsync(new HybridVsockAgentEndpoint(vmm.SocketPath), Ct, timeouts));

        ex.Message.ShouldContain("no 'OK' reply to 'CONNECT 1024' within 0.2 s");
    }

    [Fact]
    public async Task Missing_socket_fails_with_the_connect_error()
    {
        var ex = await Should.ThrowAsync<AgentConnectException>(() =>
            AgentClient.ConnectAsync(new HybridVsockAgentEndpoint("/nonexistent/kata.hvsock"), Ct));

        ex.Message.ShouldContain("connect failed");
    }

    [Theory]
    [InlineData("CONNECT 1024", 1024u)]
    [InlineData("connect 1024", 1024u)]
    [InlineData("Connect 7\r", 7u)]
    public void Muxer_accepts_the_keyword_case_insensitively(string line, uint port)
    {
        HybridVsockMuxer.ParseConnectLine(line).ShouldBe(port);
    }

    [Theory]
    [InlineData("CONNECT")]
    [InlineData("CONNECT -1")]
    [InlineData("HELLO 1024")]
    [InlineData("CONNECT 1024 extra")]
    public void Muxer_rejects_malformed_lines(string line)
    {
        Should.Throw<FormatException>(() => HybridVsockMuxer.ParseConnectLine(line));
    }
}
