using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Task;
using Shim.Ttrpc;

namespace Shim.Benchmarks;

/// <summary>
/// ttrpc unary calls, client and server in-process over a real unix socket: the latency of one
/// State round trip, the throughput of 64 concurrent calls on one connection, and frame encode/decode.
/// </summary>
[MemoryDiagnoser]
public class TtrpcBenchmarks
{
    private const int Concurrency = 64;
    private static readonly StateRequest Request = new() { Id = "p10" };

    private string directory = "";
    private TtrpcServer server = null!;
    private TtrpcClient client = null!;
    private byte[] connectFrame = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        directory = Directory.CreateTempSubdirectory("ttrpc-bench-").FullName;
        var path = Path.Combine(directory, "s.sock");
        var reply = new StateResponse
        {
            Id = "p10",
            Bundle = "/run/containerd/io.containerd.runtime.v2.task/default/p10",
            Pid = 4242,
            Status = Shim.Containerd.Protos.Types.Status.Running,
            Stdout = "/run/containerd/fifo/475822784/p10-stdout",
            Stderr = "/run/containerd/fifo/475822784/p10-stderr",
        };
        server = new TtrpcServer();
        server.Register(TaskServiceNames.Service, TaskServiceNames.State, StateRequest.Parser, (_, _) => Task.FromResult(reply));
        server.Listen(path);
        client = await TtrpcClient.ConnectAsync(path, CancellationToken.None);

        var request = new Shim.Ttrpc.Wire.Request
        {
            Service = TaskServiceNames.Service,
            Method = TaskServiceNames.Connect,
            Payload = new ConnectRequest { Id = "p10" }.ToByteString(),
        };
        connectFrame = new byte[TtrpcLimits.HeaderLength + request.CalculateSize()];
        new FrameHeader((uint)(connectFrame.Length - TtrpcLimits.HeaderLength), 3, FrameType.Request, 0).Write(connectFrame);
        request.WriteTo(connectFrame.AsSpan(TtrpcLimits.HeaderLength));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await client.DisposeAsync();
        await server.StopAsync(TimeSpan.FromSeconds(1));
        await server.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Description = "State round trip (latency)")]
    public Task<StateResponse> RoundTrip() =>
        client.CallAsync(TaskServiceNames.Service, TaskServiceNames.State, Request, StateResponse.Parser, null, CancellationToken.None);

    [Benchmark(Description = "64 concurrent State calls, per call (throughput)", OperationsPerInvoke = Concurrency)]
    public Task ConcurrentRoundTrips()
    {
        var calls = new Task[Concurrency];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = client.CallAsync(TaskServiceNames.Service, TaskServiceNames.State, Request, StateResponse.Parser, null, CancellationToken.None);
        }
        return Task.WhenAll(calls);
    }

    [Benchmark(Description = "decode Connect frame (header + Request + payload)")]
    public string DecodeConnectFrame()
    {
        var header = FrameHeader.Read(connectFrame);
        var request = Shim.Ttrpc.Wire.Request.Parser.ParseFrom(connectFrame.AsSpan(TtrpcLimits.HeaderLength, (int)header.Length));
        return ConnectRequest.Parser.ParseFrom(request.Payload).Id;
    }

    [Benchmark(Description = "encode Empty response frame")]
    public int EncodeEmptyResponse()
    {
        var response = new Shim.Ttrpc.Wire.Response { Status = new Shim.Ttrpc.Wire.Status(), Payload = new Empty().ToByteString() };
        Span<byte> frame = stackalloc byte[64];
        var length = response.CalculateSize();
        new FrameHeader((uint)length, 17, FrameType.Response, 0).Write(frame);
        response.WriteTo(frame.Slice(TtrpcLimits.HeaderLength, length));
        return length;
    }
}
