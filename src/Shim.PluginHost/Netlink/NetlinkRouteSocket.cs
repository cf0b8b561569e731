using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Netlink;

/// <summary>A NETLINK_ROUTE socket (already bound to its network namespace) that performs dump requests with a deadline.</summary>
internal sealed class NetlinkRouteSocket : IDisposable
{
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFDump = 0x300;
    private const int HeaderSize = 16;
    private readonly int _fd;
    private uint _sequence;

    public NetlinkRouteSocket(int fd)
    {
        _fd = fd;
        Bind();
    }

    /// <summary>
    /// Sends <paramref name="type"/> with the NLM_F_DUMP flag and the family header, returns each reply's payload
    /// (after nlmsghdr). A dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the table changed meanwhile) is redone.
    /// </summary>
    public List<(ushort Type, ReadOnlyMemory<byte> Payload)> Dump(ushort type, ReadOnlySpan<byte> familyHeader, DateTime deadlineUtc)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (replies, interrupted) = DumpOnce(type, familyHeader, deadlineUtc);
            if (!interrupted || attempt == 5) return replies;
        }
    }

    private unsafe (List<(ushort Type, ReadOnlyMemory<byte> Payload)> Replies, bool Interrupted) DumpOnce(ushort type, ReadOnlySpan<byte> familyHeader, DateTime deadlineUtc)
    {
        const ushort NlmFDumpIntr = 0x10;
        var interrupted = false;
        var seq = ++_sequence;
        var request = new byte[HeaderSize + NetlinkAttributes.Align(familyHeader.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), seq);
        familyHeader.CopyTo(request.AsSpan(HeaderSize));
        fixed (byte* p = request)
        {
            if (Libc.send(_fd, p, (nuint)request.Length, 0) != request.Length) throw Fail($"netlink send (type {type})");
        }

        var replies = new List<(ushort, ReadOnlyMemory<byte>)>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            WaitReadable(deadlineUtc, type);
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(_fd, p, (nuint)buffer.Length, 0);
            if (received < 0) throw Fail($"netlink recv (type {type})");
            var offset = 0;
            while (offset + HeaderSize <= received)
            {
                var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
                var msgType = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
                var msgFlags = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 6));
                var msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 8));
                if (len < HeaderSize || offset + len > received) throw new InvalidDataException($"netlink reply with bad length {len} at offset {offset}");
                if (msgSeq == seq)
                {
                    interrupted |= (msgFlags & NlmFDumpIntr) != 0;
                    if (msgType == NlmsgDone) return (replies, interrupted);
                    if (msgType == NlmsgError)
                    {
                        var errno = -BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + HeaderSize));
                        if (errno == 0) return (replies, interrupted);
                        throw new Win32Exception(errno, $"netlink dump (type {type}) failed: {Libc.ErrorText(errno)}");
                    }
                    replies.Add((msgType, buffer.AsMemory(offset + HeaderSize, len - HeaderSize).ToArray()));
                }
                offset += NetlinkAttributes.Align(len);
            }
        }
    }

    /// <summary>Sends a request that changes something (NLM_F_ACK) and waits for the kernel's acknowledgement.</summary>
    /// <param name="body">The family header plus attributes, already padded.</param>
    public unsafe void Execute(ushort type, ReadOnlySpan<byte> body, DateTime deadlineUtc, string what)
    {
        const ushort NlmFAck = 0x4;
        var seq = ++_sequence;
        var request = new byte[HeaderSize + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), NlmFRequest | NlmFAck);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), seq);
        body.CopyTo(request.AsSpan(HeaderSize));
        fixed (byte* p = request)
        {
            if (Libc.send(_fd, p, (nuint)request.Length, 0) != request.Length) throw Fail($"netlink send ({what})");
        }
        var buffer = new byte[8192];
        while (true)
        {
            WaitReadable(deadlineUtc, type);
            nint received;
            fixed (byte* p = buffer) received = Libc.recv(_fd, p, (nuint)buffer.Length, 0);
            if (received < 0) throw Fail($"netlink recv ({what})");
            for (var offset = 0; offset + HeaderSize <= received;)
            {
                var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));
                var msgType = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(offset + 4));
                var msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset + 8));
                if (len < HeaderSize) throw new InvalidDataException($"netlink reply with bad length {len}");
                if (msgSeq == seq && msgType == NlmsgError)
                {
                    var errno = -BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(offset + HeaderSize));
                    if (errno == 0) return;
                    throw new Win32Exception(errno, $"{what}: {Libc.ErrorText(errno)}");
                }
                offset += NetlinkAttributes.Align(len);
            }
        }
    }

    private unsafe void WaitReadable(DateTime deadlineUtc, ushort type)
    {
        while (true)
        {
            var remaining = deadlineUtc - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException($"netlink dump (type {type}) got no complete answer before the deadline");
            var pfd = new Libc.PollFd { Fd = _fd, Events = Libc.PollIn };
            var rc = Libc.poll(&pfd, 1, (int)Math.Ceiling(remaining.TotalMilliseconds));
            if (rc > 0) return;
            if (rc < 0 && Marshal.GetLastPInvokeError() != 4 /* EINTR */) throw Fail("poll on netlink socket");
        }
    }

    private unsafe void Bind()
    {
        // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0 = kernel assigns); u32 groups; }
        var address = stackalloc byte[12];
        new Span<byte>(address, 12).Clear();
        *(ushort*)address = Libc.AfNetlink;
        if (Libc.bind(_fd, address, 12) != 0) throw Fail("bind netlink socket");
    }

    private static Win32Exception Fail(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{what}: {Libc.ErrorText(errno)}");
    }

    public void Dispose() => Libc.close(_fd);
}
