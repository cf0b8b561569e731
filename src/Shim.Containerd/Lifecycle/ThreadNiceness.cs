using System.Runtime.InteropServices;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Linux keeps a nice value per thread: a daemon's background work (its warm-up) can yield the CPU to the request
/// it was preparing for once that request arrives, without stopping.
/// </summary>
public static partial class ThreadNiceness
{
    private const int PrioProcess = 0; // with a thread id, setpriority applies to that one thread on Linux

    /// <summary>The kernel id of the calling thread.</summary>
    public static int CurrentThreadId() => GetTid();

    /// <summary>Sets thread <paramref name="threadId"/> of this process to nice <paramref name="nice"/> (19 = lowest); false if refused.</summary>
    public static bool Set(int threadId, int nice) => SetPriority(PrioProcess, threadId, nice) == 0;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
