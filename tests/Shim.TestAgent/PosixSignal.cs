using System.Runtime.InteropServices;

namespace Shim.TestAgent;

/// <summary>kill(2): Process.Kill only sends SIGKILL, the agent must deliver any signal.</summary>
internal static partial class PosixKill
{
    private const int Esrch = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Delivers <paramref name="signal"/>; a process that is already gone (ESRCH) is ignored, as the agent does.</summary>
    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Esrch)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {errno}");
        }
    }
}
