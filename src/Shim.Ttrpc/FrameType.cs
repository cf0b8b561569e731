namespace Shim.Ttrpc;

/// <summary>The message type byte of a frame header (ttrpc.md §2.1).</summary>
public enum FrameType : byte
{
    Request = 0x01,
    Response = 0x02,
    /// <summary>Streaming data, ttrpc ≥ 1.2 only; a 1.1 server ignores it.</summary>
    Data = 0x03,
}
