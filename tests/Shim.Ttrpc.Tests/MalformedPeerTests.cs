using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

/// <summary>
/// Hostile or broken peers: each gets an error (where the protocol defines one) and a closed connection,
/// while the server keeps serving other clients (and never allocates what a bad header declares).
/// </summary>
public sealed class MalformedPeerTests
{
    private static async Task AssertServerStillServesAsync(ServerHarness harness)
    {
        await using var client = await harness.ConnectClientAsync();
        (await Echo.CallAsync(client, "Echo", "alive")).Value.ShouldBe("alive");
    }

    [Fact]
    public async Task Undecodable_request_gets_invalid_argument_then_close()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(7, 1, [0x0a, 0x7f, 0x01]); // field 1 claims 127 bytes, has 1

        var status = Echo.ParseResponse((await peer.ReadFrameAsync())!).Status;
        status.Code.ShouldBe((int)StatusCode.InvalidArgument);
        status.Message.ShouldStartWith("unmarshal request error: ");
        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Even_stream_id_gets_invalid_argument_then_close()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(4, 1, Echo.RequestData("Echo", "x"));

        var reply = (await peer.ReadFrameAsync())!;
        FrameHeader.Read(reply).StreamId.ShouldBe(4u);
        Echo.ParseResponse(reply).Status.Message.ShouldBe("StreamID must be odd for client initiated streams");
        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Non_ttrpc_bytes_close_the_connection_without_reading_the_declared_length()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        // "GET / HTTP/1.1": declares 0x47455420 bytes; the reserved first byte is set.
        await peer.SendAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());

        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Truncated_header_closes_the_connection()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendAsync(new byte[] { 0, 0, 0, 5, 0 });
        peer.ShutdownSend();

        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Truncated_data_closes_the_connection()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        var data = Echo.RequestData("Echo", "x");
        await peer.SendFrameAsync(1, 1, data.AsSpan(0, data.Length - 2), declaredLength: (uint)data.Length);
        peer.ShutdownSend();

        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Oversized_frame_that_ends_early_closes_the_connection()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, new byte[1000], declaredLength: TtrpcLimits.MaxDataLength + 1);
        peer.ShutdownSend();

        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Reusing_a_pending_stream_id_closes_the_connection()
    {
        var never = new TaskCompletionSource<StringValue>();
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Hang", StringValue.Parser, (_, ctx) => never.Task.WaitAsync(ctx.CancellationToken))
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Hang", "x"));
        await peer.SendFrameAsync(1, 1, Echo.RequestData("Hang", "x"));

        await peer.ExpectClosedAsync();
        await AssertServerStillServesAsync(harness);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Non_request_frame_types_are_ignored_and_the_connection_kept(byte type)
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, type, Echo.RequestData("Echo", "ignored"));
        await peer.SendFrameAsync(3, 1, Echo.RequestData("Echo", "served"));

        var reply = (await peer.ReadFrameAsync())!;
        FrameHeader.Read(reply).StreamId.ShouldBe(3u);
        StringValue.Parser.ParseFrom(Echo.ParseResponse(reply).Payload).Value.ShouldBe("served");
    }

    [Fact]
    public async Task Zero_length_request_is_an_empty_request_routed_nowhere()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, []);

        var status = Echo.ParseResponse((await peer.ReadFrameAsync())!).Status;
        status.Code.ShouldBe((int)StatusCode.Unimplemented);
        status.Message.ShouldBe("service ");
    }

    [Fact]
    public async Task Peer_that_vanishes_mid_call_leaves_the_server_serving()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Hang", StringValue.Parser, async (r, ctx) =>
            {
                ctx.CancellationToken.Register(() => cancelled.TrySetResult());
                started.SetResult();
                await new TaskCompletionSource().Task.WaitAsync(ctx.CancellationToken);
                return r;
            })
            .Start();
        var peer = await harness.ConnectRawAsync();
        await peer.SendFrameAsync(1, 1, Echo.RequestData("Hang", "x"));
        await started.Task.WaitAsync(RawPeer.Patience);

        await peer.DisposeAsync();

        // The Go server cancels handler contexts when the connection closes.
        await cancelled.Task.WaitAsync(RawPeer.Patience);
        await AssertServerStillServesAsync(harness);
    }

    [Fact]
    public async Task Frame_reader_never_allocates_a_declared_oversized_length()
    {
        // 16 MiB - 1 declared, 3 bytes sent: drained in fixed chunks, then EOF → protocol error, not an allocation.
        using var stream = new MemoryStream([0x00, 0xff, 0xff, 0xff, 0, 0, 0, 1, 1, 0, 1, 2, 3]);
        var reader = new FrameReader(stream);

        var ex = await Should.ThrowAsync<TtrpcProtocolException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
        ex.Message.ShouldContain("failed to discard after receiving oversized message");
    }

    [Fact]
    public async Task Socket_level_reset_during_a_call_is_survived()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(harness.Path));
            socket.LingerState = new LingerOption(true, 0);
            await socket.SendAsync(new byte[] { 0, 0, 0 }, SocketFlags.None);
        }

        await AssertServerStillServesAsync(harness);
    }
}
