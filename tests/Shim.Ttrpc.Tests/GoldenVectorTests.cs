using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.EventsService;
using Shim.Containerd.Protos.RuntimeOptions;
using Shim.Containerd.Protos.Task;
using Shim.Ttrpc.Wire;

namespace Shim.Ttrpc.Tests;

/// <summary>Byte-for-byte checks against ttrpc.md §10 (observed, accepted and derived vectors).</summary>
public sealed class GoldenVectorTests
{
    private const string TaskPrefix = "0a 17 63 6f 6e 74 61 69 6e 65 72 64 2e 74 61 73 6b 2e 76 32 2e 54 61 73 6b";
    private const string ConnectHeader = "00 00 00 29 00 00 00 03 01 00";
    private const string ConnectData = TaskPrefix + " 12 07 43 6f 6e 6e 65 63 74 1a 05 0a 03 70 31 30";

    [Fact]
    public void Connect_request_from_containerd_decodes()
    {
        var frame = Hex.Parse(ConnectHeader + " " + ConnectData);

        var header = FrameHeader.Read(frame);
        header.ShouldBe(new FrameHeader(41, 3, FrameType.Request, 0));
        var request = Request.Parser.ParseFrom(frame.AsSpan(10, (int)header.Length));
        request.Service.ShouldBe("containerd.task.v2.Task");
        request.Method.ShouldBe("Connect");
        request.TimeoutNano.ShouldBe(0);
        request.Metadata.ShouldBeEmpty();
        ConnectRequest.Parser.ParseFrom(request.Payload).Id.ShouldBe("p10");
    }

    [Fact]
    public void Connect_request_encodes_byte_identical_to_containerd()
    {
        var request = new Request
        {
            Service = TaskServiceNames.Service,
            Method = TaskServiceNames.Connect,
            Payload = new ConnectRequest { Id = "p10" }.ToByteString(),
        };
        var data = request.ToByteArray();
        var frame = new byte[10 + data.Length];
        new FrameHeader((uint)data.Length, 3, FrameType.Request, 0).Write(frame);
        data.CopyTo(frame, 10);

        Hex.Format(frame).ShouldBe(Hex.Format(Hex.Parse(ConnectHeader + " " + ConnectData)));
    }

    [Theory]
    [InlineData("00 00 00 27 00 00 00 05 01 00", "12 05 53 74 61 72 74 1a 05 0a 03 70 31 30", 5u, "Start", 0L)]
    [InlineData("00 00 00 29 00 00 00 07 01 00", "12 07 43 6f 6e 6e 65 63 74 1a 05 0a 03 70 31 30", 7u, "Connect", 0L)]
    [InlineData("00 00 00 26 00 00 00 09 01 00", "12 04 57 61 69 74 1a 05 0a 03 70 31 30", 9u, "Wait", 0L)]
    [InlineData("00 00 00 27 00 00 00 0b 01 00", "12 05 53 74 61 74 65 1a 05 0a 03 70 31 30", 11u, "State", 0L)]
    [InlineData("00 00 00 2d 00 00 00 0d 01 00", "12 05 53 74 61 74 65 1a 05 0a 03 70 31 30 20 8d d9 d5 b9 07", 13u, "State", 1_999_989_901L)]
    [InlineData("00 00 00 28 00 00 00 0f 01 00", "12 06 44 65 6c 65 74 65 1a 05 0a 03 70 31 30", 15u, "Delete", 0L)]
    [InlineData("00 00 00 30 00 00 00 11 01 00", "12 08 53 68 75 74 64 6f 77 6e 1a 05 0a 03 70 31 30 20 b2 f9 c0 96 0b", 17u, "Shutdown", 2_999_991_474L)]
    public void Observed_requests_decode(string header, string dataAfterPrefix, uint stream, string method, long timeoutNano)
    {
        var h = FrameHeader.Read(Hex.Parse(header));
        var data = Hex.Parse(TaskPrefix + " " + dataAfterPrefix);

        h.Length.ShouldBe((uint)data.Length);
        h.StreamId.ShouldBe(stream);
        h.Type.ShouldBe(FrameType.Request);
        var request = Request.Parser.ParseFrom(data);
        request.Service.ShouldBe(TaskServiceNames.Service);
        request.Method.ShouldBe(method);
        request.TimeoutNano.ShouldBe(timeoutNano);
        // Every observed payload except Create is {id: "p10"} (field 1), whatever the request type.
        StateRequest.Parser.ParseFrom(request.Payload).Id.ShouldBe("p10");
    }

    [Fact]
    public void Full_create_request_decodes()
    {
        var frame = Hex.Parse(
            "00 00 00 e4 00 00 00 01 01 00 " + TaskPrefix + " 12 06 \"Create\" 1a c0 01 " +
            "0a 03 \"p10\" 12 39 \"/run/containerd/io.containerd.runtime.v2.task/default/p10\" " +
            "2a 28 \"/run/containerd/fifo/475822784/p10-stdin\" " +
            "32 29 \"/run/containerd/fifo/475822784/p10-stdout\" " +
            "3a 29 \"/run/containerd/fifo/475822784/p10-stderr\"");

        var header = FrameHeader.Read(frame);
        header.Length.ShouldBe((uint)(frame.Length - 10));
        var request = Request.Parser.ParseFrom(frame.AsSpan(10));
        request.Method.ShouldBe("Create");
        var create = CreateTaskRequest.Parser.ParseFrom(request.Payload);
        create.Id.ShouldBe("p10");
        create.Bundle.ShouldBe("/run/containerd/io.containerd.runtime.v2.task/default/p10");
        create.Stdin.ShouldBe("/run/containerd/fifo/475822784/p10-stdin");
        create.Stdout.ShouldBe("/run/containerd/fifo/475822784/p10-stdout");
        create.Stderr.ShouldBe("/run/containerd/fifo/475822784/p10-stderr");
        create.Rootfs.ShouldBeEmpty();
        create.Terminal.ShouldBeFalse();
        create.Options.ShouldBeNull();
    }

    [Fact]
    public void Runtime_options_on_stdin_decode_with_a_bare_type_url()
    {
        var bytes = Hex.Parse("0a 19 \"runtimeoptions.v1.Options\" 12 14 12 12 \"/etc/kata/cfg.toml\"");
        bytes.Length.ShouldBe(49);

        var any = Any.Parser.ParseFrom(bytes);
        any.TypeUrl.ShouldBe("runtimeoptions.v1.Options");
        ContainerdAny.Unpack(any, Options.Parser).ConfigPath.ShouldBe("/etc/kata/cfg.toml");
        // And it re-encodes identically.
        Hex.Format(ContainerdAny.Pack(new Options { ConfigPath = "/etc/kata/cfg.toml" }).ToByteArray()).ShouldBe(Hex.Format(bytes));
    }

    [Fact]
    public void Task_exit_event_value_encodes_as_derived()
    {
        var exit = new TaskExit
        {
            ContainerId = "p10",
            Id = "p10",
            Pid = 4242,
            ExitStatus = 7,
            ExitedAt = new Timestamp { Seconds = 1700000001, Nanos = 500000000 },
        };

        Hex.Format(exit.ToByteArray()).ShouldBe(Hex.Format(Hex.Parse(
            "0a 03 70 31 30 12 03 70 31 30 18 92 21 20 07 2a 0c 08 81 e2 cf aa 06 10 80 ca b5 ee 01")));
        ContainerdAny.Pack(exit).TypeUrl.ShouldBe("containerd.events.TaskExit");
    }

    [Fact]
    public void Delete_binary_stdout_encodes_as_derived()
    {
        var response = new DeleteResponse { Pid = 0, ExitStatus = 137, ExitedAt = new Timestamp { Seconds = 1700000000 } };

        Hex.Format(response.ToByteArray()).ShouldBe(Hex.Format(Hex.Parse("10 89 01 1a 06 08 80 e2 cf aa 06")));
    }

    [Fact]
    public void Forward_reply_from_containerd_is_success_with_empty()
    {
        var response = Response.Parser.ParseFrom(Hex.Parse("0a 00"));

        response.Status.ShouldNotBeNull();
        response.Status.Code.ShouldBe(0);
        response.Payload.IsEmpty.ShouldBeTrue();
    }

    /// <summary>The server answers golden requests with exactly the accepted/derived response bytes.</summary>
    [Fact]
    public async Task Server_replies_match_the_accepted_bytes()
    {
        var exitedAt = new Timestamp { Seconds = 1795336913, Nanos = 35292625 };
        await using var harness = new ServerHarness()
            .Handle(TaskServiceNames.Service, "Create", CreateTaskRequest.Parser, (_, _) => Task.FromResult(new CreateTaskResponse { Pid = 4242 }))
            .Handle(TaskServiceNames.Service, "Start", StartRequest.Parser, (_, _) => Task.FromResult(new StartResponse { Pid = 4242 }))
            .Handle(TaskServiceNames.Service, "Wait", WaitRequest.Parser, (_, _) => Task.FromResult(new WaitResponse { ExitStatus = 7, ExitedAt = exitedAt }))
            .Handle(TaskServiceNames.Service, "Delete", DeleteRequest.Parser, (_, _) => Task.FromResult(new DeleteResponse { Pid = 4242, ExitStatus = 7, ExitedAt = exitedAt }))
            .Handle(TaskServiceNames.Service, "Shutdown", ShutdownRequest.Parser, (_, _) => Task.FromResult(new Empty()))
            .Handle(TaskServiceNames.Service, "Connect", ConnectRequest.Parser, (r, _) => Task.FromResult(
                r.Id == "p10" ? new ConnectResponse { ShimPid = 11322, TaskPid = 4242, Version = "kataplug-0.1" } : throw new TtrpcException(StatusCode.NotFound, r.Id)))
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        var cases = new (string Request, string Response)[]
        {
            ("00 00 00 e2 00 00 00 01 01 00 " + TaskPrefix + " 12 06 \"Create\" 1a be 01 0a 03 \"p10\" 12 37 \"" + new string('b', 55) + "\" 2a 28 \"/run/containerd/fifo/475822784/p10-stdin\" 32 29 \"/run/containerd/fifo/475822784/p10-stdout\" 3a 29 \"/run/containerd/fifo/475822784/p10-stderr\"",
             "00 00 00 07 00 00 00 01 02 00 0a 00 12 03 08 92 21"),
            (ConnectHeader + " " + ConnectData,
             "00 00 00 18 00 00 00 03 02 00 0a 00 12 14 08 ba 58 10 92 21 1a 0c 6b 61 74 61 70 6c 75 67 2d 30 2e 31"),
            ("00 00 00 27 00 00 00 05 01 00 " + TaskPrefix + " 12 05 53 74 61 72 74 1a 05 0a 03 70 31 30",
             "00 00 00 07 00 00 00 05 02 00 0a 00 12 03 08 92 21"),
            ("00 00 00 26 00 00 00 09 01 00 " + TaskPrefix + " 12 04 57 61 69 74 1a 05 0a 03 70 31 30",
             "00 00 00 13 00 00 00 09 02 00 0a 00 12 0f 08 07 12 0b 08 d1 d5 8a d8 06 10 d1 8b ea 10"),
            ("00 00 00 25 00 00 00 0b 01 00 " + TaskPrefix + " 12 0a \"Frobnicate\"",
             "00 00 00 17 00 00 00 0b 02 00 0a 15 08 0c 12 11 6d 65 74 68 6f 64 20 46 72 6f 62 6e 69 63 61 74 65"),
            ("00 00 00 28 00 00 00 0f 01 00 " + TaskPrefix + " 12 06 44 65 6c 65 74 65 1a 05 0a 03 70 31 30",
             "00 00 00 16 00 00 00 0f 02 00 0a 00 12 12 08 92 21 10 07 1a 0b 08 d1 d5 8a d8 06 10 d1 8b ea 10"),
            ("00 00 00 30 00 00 00 11 01 00 " + TaskPrefix + " 12 08 53 68 75 74 64 6f 77 6e 1a 05 0a 03 70 31 30 20 b2 f9 c0 96 0b",
             "00 00 00 02 00 00 00 11 02 00 0a 00"),
        };
        foreach (var (request, expected) in cases)
        {
            var bytes = Hex.Parse(request);
            FrameHeader.Read(bytes).Length.ShouldBe((uint)(bytes.Length - 10), "test vector length");
            await peer.SendAsync(bytes);
            Hex.Format((await peer.ReadFrameAsync())!).ShouldBe(Hex.Format(Hex.Parse(expected)));
        }
    }

    [Fact]
    public async Task Oversized_request_is_discarded_and_answered_with_the_derived_bytes()
    {
        await using var harness = new ServerHarness()
            .Handle(TaskServiceNames.Service, "Connect", ConnectRequest.Parser, (_, _) => Task.FromResult(new ConnectResponse { ShimPid = 11322, TaskPid = 4242, Version = "kataplug-0.1" }))
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        var oversized = new byte[10 + 4_194_305];
        Hex.Parse("00 40 00 01 00 00 00 05 01 00").CopyTo(oversized, 0);
        var send = peer.SendAsync(oversized);
        var reply = await peer.ReadFrameAsync();
        await send;

        Hex.Format(reply!).ShouldBe(Hex.Format(Hex.Parse(
            "00 00 00 43 00 00 00 05 02 00 0a 41 08 08 12 3d 6d 65 73 73 61 67 65 20 6c 65 6e 67 74 68 20 34 31 39 " +
            "34 33 30 35 20 65 78 63 65 65 64 20 6d 61 78 69 6d 75 6d 20 6d 65 73 73 " +
            "61 67 65 20 73 69 7a 65 20 6f 66 20 34 31 39 34 33 30 34")));
        // The stream stayed in sync: the next frame is served.
        await peer.SendAsync(Hex.Parse(ConnectHeader + " " + ConnectData));
        Hex.Format((await peer.ReadFrameAsync())!).ShouldBe(Hex.Format(Hex.Parse(
            "00 00 00 18 00 00 00 03 02 00 0a 00 12 14 08 ba 58 10 92 21 1a 0c 6b 61 74 61 70 6c 75 67 2d 30 2e 31")));
    }

    [Fact]
    public async Task Even_stream_gets_the_derived_error_bytes_then_the_connection_closes()
    {
        await using var harness = new ServerHarness()
            .Handle(TaskServiceNames.Service, "Connect", ConnectRequest.Parser, (_, _) => Task.FromResult(new ConnectResponse()))
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendAsync(Hex.Parse("00 00 00 29 00 00 00 02 01 00 " + ConnectData));

        Hex.Format((await peer.ReadFrameAsync())!).ShouldBe(Hex.Format(Hex.Parse(
            "00 00 00 37 00 00 00 02 02 00 0a 35 08 03 12 31 53 74 72 65 61 6d 49 44 20 6d 75 73 74 20 62 65 20 6f " +
            "64 64 20 66 6f 72 20 63 6c 69 65 6e 74 20 69 6e 69 74 69 61 74 65 64 20 73 74 72 65 61 6d 73")));
        await peer.ExpectClosedAsync();
    }

    /// <summary>The client's Forward is byte-identical to the derived vector.</summary>
    [Fact]
    public async Task Forward_request_encodes_as_derived()
    {
        using var path = new TestSocketPath();
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path.Path));
        listener.Listen(1);
        await using var client = await TtrpcClient.ConnectAsync(path.Path, CancellationToken.None);
        using var accepted = await listener.AcceptAsync().WaitAsync(RawPeer.Patience);
        await using var containerd = new RawPeer(accepted);

        var forward = new ForwardRequest
        {
            Envelope = new Envelope
            {
                Timestamp = new Timestamp { Seconds = 1700000000 },
                Namespace = "default",
                Topic = TaskEventTopics.Start,
                Event = ContainerdAny.Pack(new TaskStart { ContainerId = "p10", Pid = 4242 }),
            },
        };
        var call = client.CallAsync(EventsServiceNames.Service, EventsServiceNames.Forward, forward, Empty.Parser,
            TimeSpan.FromSeconds(5), TtrpcMetadata.Empty.With(EventsServiceNames.NamespaceMetadataKey, "default"), CancellationToken.None);

        var frame = await containerd.ReadFrameAsync();
        Hex.Format(frame!).ShouldBe(Hex.Format(Hex.Parse("00 00 00 ae 00 00 00 01 01 00 " +
            "0a 2a 63 6f 6e 74 61 69 6e 65 72 64 2e 73 65 72 76 69 63 65 73 2e 65 76 65 6e " +
            "74 73 2e 74 74 72 70 63 2e 76 31 2e 45 76 65 6e 74 73 12 07 46 6f 72 77 61 72 " +
            "64 1a 4a 0a 48 0a 06 08 80 e2 cf aa 06 12 07 64 65 66 61 75 6c 74 1a 0c 2f 74 " +
            "61 73 6b 73 2f 73 74 61 72 74 22 27 0a 1b 63 6f 6e 74 61 69 6e 65 72 64 2e 65 " +
            "76 65 6e 74 73 2e 54 61 73 6b 53 74 61 72 74 12 08 0a 03 70 31 30 10 92 21 20 " +
            "80 e4 97 d0 12 2a 25 0a 1a 63 6f 6e 74 61 69 6e 65 72 64 2d 6e 61 6d 65 73 70 " +
            "61 63 65 2d 74 74 72 70 63 12 07 64 65 66 61 75 6c 74")));

        // containerd's reply to a successful Forward.
        await containerd.SendAsync(Hex.Parse("00 00 00 02 00 00 00 01 02 00 0a 00"));
        (await call.WaitAsync(RawPeer.Patience)).ShouldBe(new Empty());
    }
}
