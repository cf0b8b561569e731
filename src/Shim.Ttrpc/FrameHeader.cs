using System.Buffers.Binary;

namespace Shim.Ttrpc;

/// <summary>The 10-byte big-endian frame header: data length, stream id, type, flags (ttrpc.md §2).</summary>
public readonly record struct FrameHeader(uint Length, uint StreamId, FrameType Type, byte Flags)
{
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < TtrpcLimits.HeaderLength)
        {
            throw new ArgumentException($"a frame header needs {TtrpcLimits.HeaderLength} bytes, got {source.Length}", nameof(source));
        }
        return new FrameHeader(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            (FrameType)source[8],
            source[9]);
    }

    public void Write(Span<byte> destination)
    {
        if (destination.Length < TtrpcLimits.HeaderLength)
        {
            throw new ArgumentException($"a frame header needs {TtrpcLimits.HeaderLength} bytes, got {destination.Length}", nameof(destination));
        }
        BinaryPrimitives.WriteUInt32BigEndian(destination, Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        destination[8] = (byte)Type;
        destination[9] = Flags;
    }
}
