using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

/// <summary>A tiny test service on StringValue messages.</summary>
internal static class Echo
{
    public const string Service = "test.Echo";

    public static Task<StringValue> CallAsync(TtrpcClient client, string method, string text, TimeSpan? timeout = null) =>
        client.CallAsync(Service, method, new StringValue { Value = text }, StringValue.Parser, timeout, CancellationToken.None)
            .WaitAsync(RawPeer.Patience);

    public static ServerHarness WithEcho(this ServerHarness harness) =>
        harness.Handle(Service, "Echo", StringValue.Parser, (r, _) => Task.FromResult(new StringValue { Value = r.Value }));

    /// <summary>A raw Request frame for the echo service.</summary>
    public static byte[] RequestData(string method, string text, long timeoutNano = 0) =>
        Google.Protobuf.MessageExtensions.ToByteArray(new Wire.Request
        {
            Service = Service,
            Method = method,
            Payload = Google.Protobuf.MessageExtensions.ToByteString(new StringValue { Value = text }),
            TimeoutNano = timeoutNano,
        });

    public static Wire.Response ParseResponse(byte[] frame) => Wire.Response.Parser.ParseFrom(frame.AsSpan(10));
}
