using System.Net.Sockets;

namespace Shim.Agent.Tests;

public sealed class EndpointTests
{
    [Fact]
    public void Kata_address_strings_parse_to_their_endpoint_kind()
    {
        AgentEndpoint.Parse("vsock://3:1024").ShouldBe(new VsockAgentEndpoint(3, 1024));
        AgentEndpoint.Parse("hvsock:///run/vc/vm/abc/clh.sock:1024").ShouldBe(new HybridVsockAgentEndpoint("/run/vc/vm/abc/clh.sock", 1024));
        AgentEndpoint.Parse("unix:///tmp/agent.sock").ShouldBe(new UnixAgentEndpoint("/tmp/agent.sock"));
        new HybridVsockAgentEndpoint("/x/kata.hvsock").ToString().ShouldBe("hvsock:///x/kata.hvsock:1024");
    }

    [Theory]
    [InlineData("vsock://three:1024", "CID 'three'")]
    [InlineData("vsock://3", "no ':<port>'")]
    [InlineData("hvsock:///x/clh.sock", "no ':<port>'")]
    [InlineData("tcp://1.2.3.4:1024", "not an agent address")]
    public void Bad_addresses_name_the_problem(string address, string expected)
    {
        Should.Throw<FormatException>(() => AgentEndpoint.Parse(address)).Message.ShouldContain(expected);
    }

    [Fact]
    public void Vsock_sockaddr_is_16_bytes_family_40_port_then_cid()
    {
        var bytes = new byte[16];
        new VsockEndPoint(cid: 3, port: 1024).Encode(bytes);

        bytes.ShouldBe(new byte[] { 40, 0, 0, 0, 0x00, 0x04, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0 });
    }

    [Fact]
    public void Vsock_SocketAddress_round_trips()
    {
        var endpoint = new VsockEndPoint(cid: 0xDEADBEEF, port: 1026);
        var address = endpoint.Serialize();

        address.Family.ShouldBe((AddressFamily)40);
        address.Size.ShouldBe(16);
        address[4].ShouldBe((byte)0x02);
        address[5].ShouldBe((byte)0x04);
        address[8].ShouldBe((byte)0xEF);
        address[11].ShouldBe((byte)0xDE);
        endpoint.Create(address).ShouldBe(endpoint);
        VsockEndPoint.Decode(new byte[] { 40, 0, 0, 0, 0, 4, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0 }).ShouldBe(new VsockEndPoint(3, 1024));
    }

    [Fact]
    public void Decoding_a_non_vsock_sockaddr_is_refused()
    {
        Should.Throw<ArgumentException>(() => VsockEndPoint.Decode(new byte[16])).Message.ShouldContain("not AF_VSOCK");
    }

    [Fact]
    public async Task Vsock_dial_to_an_absent_CID_fails_with_a_connect_exception()
    {
        // CID 0xFFFFFFF0 is never a guest: either the host has no vsock (socket creation fails) or connect is refused.
        var ex = await Should.ThrowAsync<AgentConnectException>(() =>
            AgentClient.ConnectAsync(new VsockAgentEndpoint(0xFFFFFFF0), TestDeadline.Token));

        ex.Endpoint.ShouldBe("vsock://4294967280:1024");
    }

    [Fact]
    public void Backoff_doubles_from_10ms_and_stays_bounded()
    {
        var backoff = DialBackoff.Default;

        backoff.DelayFor(1).ShouldBe(TimeSpan.FromMilliseconds(10));
        backoff.DelayFor(2).ShouldBe(TimeSpan.FromMilliseconds(20));
        backoff.DelayFor(6).ShouldBe(TimeSpan.FromMilliseconds(320));
        backoff.DelayFor(7).ShouldBe(TimeSpan.FromMilliseconds(500));
        backoff.DelayFor(int.MaxValue).ShouldBe(TimeSpan.FromMilliseconds(500));
    }
}
