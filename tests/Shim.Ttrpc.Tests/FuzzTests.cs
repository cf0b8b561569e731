using System.Buffers.Binary;

namespace Shim.Ttrpc.Tests;

/// <summary>Seeded random garbage: whatever a peer sends, the server answers or closes, and keeps serving.</summary>
public sealed class FuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_bytes_never_take_the_server_down(int seed)
    {
        var random = new Random(seed);
        await using var harness = new ServerHarness().WithEcho().Start();

        for (var round = 0; round < 40; round++)
        {
            await using var peer = await harness.ConnectRawAsync();
            await peer.SendAsync(Garbage(random));
            peer.ShutdownSend();
            // Drain whatever the server answers until it closes; every frame must be a well-formed Response.
            while (await peer.ReadFrameAsync() is { } frame)
            {
                FrameHeader.Read(frame).Type.ShouldBe(FrameType.Response);
                Wire.Response.Parser.ParseFrom(frame.AsSpan(10)).Status.ShouldNotBeNull();
            }
        }

        await using var client = await harness.ConnectClientAsync();
        (await Echo.CallAsync(client, "Echo", "survived")).Value.ShouldBe("survived");
    }

    /// <summary>Mostly plausible frames (small lengths, odd ids, type 1) with random bodies, sometimes pure noise.</summary>
    private static byte[] Garbage(Random random)
    {
        var output = new List<byte>();
        var frames = random.Next(1, 4);
        for (var i = 0; i < frames; i++)
        {
            if (random.Next(5) == 0)
            {
                var noise = new byte[random.Next(1, 64)];
                random.NextBytes(noise);
                output.AddRange(noise);
                continue;
            }
            var body = new byte[random.Next(0, 48)];
            random.NextBytes(body);
            if (random.Next(2) == 0 && body.Length > 0)
            {
                body[0] = 0x0a; // looks like a Request.service field
            }
            var header = new byte[10];
            var declared = random.Next(4) == 0 ? (uint)random.Next(0, 200) : (uint)body.Length;
            BinaryPrimitives.WriteUInt32BigEndian(header, declared);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)random.Next(0, 8));
            header[8] = (byte)(random.Next(3) == 0 ? random.Next(0, 256) : 1);
            header[9] = (byte)random.Next(0, 3);
            output.AddRange(header);
            output.AddRange(body);
        }
        return [.. output];
    }
}
