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
        new VsockAddress(Cid: 3, Port: 1024).ToBytes().ShouldBe(new byte[] { 40, 0, 0, 0, 0x00, 0x04, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0 });
    }

    [Fact]
    public void Vsock_sockaddr_round_trips()
    {
        var address = new VsockAddress(Cid: 0xDEADBEEF, Port: 1026);
        var bytes = address.ToBytes();

        bytes[8].ShouldBe((byte)0xEF);
        bytes[11].ShouldBe((byte)0xDE);
        VsockAddress.Decode(bytes).ShouldBe(address);
        address.ToString().ShouldBe("vsock://3735928559:1026");
    }

    [Fact]
    public void Decoding_a_non_vsock_sockaddr_is_refused()
    {
        Should.Throw<ArgumentException>(() => VsockAddress.Decode(new byte[16])).Message.ShouldContain("not AF_VSOCK");
        Should.Throw<ArgumentException>(() => VsockAddress.Decode(new byte[8])).Message.ShouldContain("16 bytes");
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
