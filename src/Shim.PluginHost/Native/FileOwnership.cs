using System.ComponentModel;

namespace Shim.PluginHost.Native;

/// <summary>Owner and mode of a path without following a final symlink (statx with AT_SYMLINK_NOFOLLOW).</summary>
internal readonly record struct FileOwnership(uint Uid, uint Gid, UnixFileMode Mode, bool IsSymlink, int TypeBits)
{
    public static unsafe FileOwnership Of(string path)
    {
        // struct statx: stx_uid u32 @20, stx_gid u32 @24, stx_mode u16 @28 — the same on every architecture.
        var buffer = stackalloc byte[256];
        if (Libc.statx(Libc.AtFdCwd, path, Libc.AtSymlinkNoFollow, Libc.StatxMode | Libc.StatxUid | Libc.StatxGid, buffer) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            throw new Win32Exception(errno, $"statx {path}: {Libc.ErrorText(errno)}");
        }
        var uid = *(uint*)(buffer + 20);
        var gid = *(uint*)(buffer + 24);
        var mode = *(ushort*)(buffer + 28);
        const int SIfmt = 0xF000, SIflnk = 0xA000;
        return new FileOwnership(uid, gid, (UnixFileMode)(mode & 0xFFF), (mode & SIfmt) == SIflnk, mode & SIfmt);
    }

    public static uint EffectiveUid => Libc.geteuid();
}
