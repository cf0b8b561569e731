using System.Runtime.InteropServices;

namespace Shim.Containerd.Lifecycle;

/// <summary>The libc calls of the readiness pipe (<see cref="ReadinessPipe"/>, <see cref="ReadinessSignal"/>).</summary>
internal static unsafe partial class ReadinessNative
{
    public const int O_CLOEXEC = 0x80000;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const short POLLIN = 0x1;
    public const int EINTR = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);
}
