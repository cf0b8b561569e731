using System.Buffers;

namespace Shim.Ttrpc;

/// <summary>
/// One received frame. Its data lives in a pooled buffer: dispose the frame once the data is decoded.
/// An oversized frame carries no data (it was discarded) and <see cref="IsOversized"/> is set.
/// </summary>
internal sealed class Frame : IDisposable
{
    private byte[]? buffer;

    private Frame(FrameHeader header, byte[]? buffer, bool oversized)
    {
        Header = header;
        this.buffer = buffer;
        IsOversized = oversized;
    }

    public FrameHeader Header { get; }

    public bool IsOversized { get; }

    public ReadOnlySpan<byte> Data => buffer is null ? default : buffer.AsSpan(0, (int)Header.Length);

    public static Frame WithData(FrameHeader header, byte[]? pooledBuffer) => new(header, pooledBuffer, oversized: false);

    public static Frame Oversized(FrameHeader header) => new(header, null, oversized: true);

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref buffer, null);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
