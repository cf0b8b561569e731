using System.Buffers;
using Google.Protobuf;

namespace Shim.Ttrpc;

/// <summary>
/// Writes whole frames, one at a time: header and data go out in a single buffer under a lock, so
/// concurrent handlers never interleave bytes on the connection (ttrpc.md §6.1).
/// </summary>
internal sealed class FrameWriter(Stream stream) : IDisposable
{
    private readonly SemaphoreSlim writeLock = new(1, 1);

    /// <summary>Encodes <paramref name="message"/> as the data of one frame and writes it.</summary>
    /// <exception cref="TtrpcException">code 8 when the encoded message exceeds the 4 MiB limit (nothing is written).</exception>
    public async ValueTask WriteAsync(uint streamId, FrameType type, IMessage message, CancellationToken cancellationToken)
    {
        var length = message.CalculateSize();
        if (length > TtrpcLimits.MaxDataLength)
        {
            throw new TtrpcException(StatusCode.ResourceExhausted, TtrpcLimits.OversizedMessage(length));
        }

        var total = TtrpcLimits.HeaderLength + length;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            new FrameHeader((uint)length, streamId, type, 0).Write(buffer);
            message.WriteTo(buffer.AsSpan(TtrpcLimits.HeaderLength, length));
            await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Not cancellable once started: a half-written frame would desynchronise the stream.
                await stream.WriteAsync(buffer.AsMemory(0, total), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => writeLock.Dispose();
}
