using System.Buffers;

namespace Shim.Ttrpc;

/// <summary>
/// Reads whole frames from a connection. The declared length is validated against
/// <see cref="TtrpcLimits.MaxDataLength"/> before anything is allocated; oversized frames are drained in
/// fixed-size chunks so a hostile length never turns into a large allocation.
/// </summary>
internal sealed class FrameReader(Stream stream)
{
    private const int DiscardChunk = 64 * 1024;
    private readonly byte[] header = new byte[TtrpcLimits.HeaderLength];

    /// <summary>The next frame, or null on a clean end of stream at a frame boundary.</summary>
    /// <exception cref="TtrpcProtocolException">truncated frame or a length beyond <see cref="TtrpcLimits.MaxDiscardLength"/>.</exception>
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < header.Length)
        {
            var n = await stream.ReadAsync(header.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return filled == 0
                    ? null
                    : throw new TtrpcProtocolException($"connection ended inside a frame header after {filled} of {TtrpcLimits.HeaderLength} bytes");
            }
            filled += n;
        }

        var h = FrameHeader.Read(header);
        if (h.Length > TtrpcLimits.MaxDataLength)
        {
            if (h.Length > TtrpcLimits.MaxDiscardLength)
            {
                throw new TtrpcProtocolException(
                    $"frame on stream {h.StreamId} declares {h.Length} bytes: the reserved first length byte is set, not a ttrpc peer");
            }
            await DiscardAsync(h, cancellationToken).ConfigureAwait(false);
            return Frame.Oversized(h);
        }

        if (h.Length == 0)
        {
            return Frame.WithData(h, null);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)h.Length);
        try
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)h.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new TtrpcProtocolException($"connection ended inside the {h.Length}-byte data of a frame on stream {h.StreamId}", ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return Frame.WithData(h, buffer);
    }

    private async ValueTask DiscardAsync(FrameHeader h, CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(DiscardChunk);
        try
        {
            var remaining = (long)h.Length;
            while (remaining > 0)
            {
                var n = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(remaining, chunk.Length)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new TtrpcProtocolException(
                        $"failed to discard after receiving oversized message: connection ended with {remaining} of {h.Length} bytes left");
                }
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
