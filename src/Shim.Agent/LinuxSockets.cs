using System.Runtime.InteropServices;

namespace Shim.Agent;

/// <summary>The few libc socket calls .NET cannot make for <c>AF_VSOCK</c>.</summary>
internal static unsafe partial class LinuxSockets
{
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    private const int FGetfl = 3;
    private const int FSetfl = 4;
    private const int ONonblock = 0x800;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* address, int length);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* fds);

    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    public static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrError(int errno);

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"errno {errno}: {Marshal.PtrToStringUTF8(StrError(errno))}";

    public static bool SetNonBlocking(int fd)
    {
        var flags = Fcntl(fd, FGetfl, 0);
        return flags >= 0 && Fcntl(fd, FSetfl, flags | ONonblock) == 0;
    }
}
