using System.Globalization;
using Shim.Containerd.Native;

namespace Shim.Containerd.Lifecycle;

/// <summary>Liveness and signalling of processes by pid (the daemon, a leftover QEMU), with pid-reuse guards.</summary>
public static unsafe class ChildProcess
{
    /// <summary>For our own child: true (and its raw wait status) once it has exited and was reaped.</summary>
    public static bool TryReap(int pid, out int waitStatus)
    {
        int status;
        var rc = LibC.WaitPid(pid, &status, LibC.WNOHANG);
        waitStatus = status;
        return rc == pid;
    }

    /// <summary>Blocks until our child <paramref name="pid"/> has exited and reaps it (returns at once if it is not our child).</summary>
    public static void Reap(int pid)
    {
        int status;
        while (LibC.WaitPid(pid, &status, 0) < 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == LibC.EINTR)
        {
        }
    }

    /// <summary>Human text of a wait status: "exit code N" or "signal N".</summary>
    public static string DescribeWaitStatus(int status) =>
        (status & 0x7f) == 0 ? $"exit code {(status >> 8) & 0xff}" : $"signal {status & 0x7f}";

    /// <summary>True while /proc/&lt;pid&gt; exists and the process is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State != 'Z';
    }

    /// <summary>Start time (clock ticks since boot, field 22 of /proc/pid/stat): with the pid it names one process for good.</summary>
    public static ulong? StartTicks(int pid) => ReadStat(pid)?.StartTicks;

    /// <summary>The process's argv, or empty when it is gone.</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>SIGKILL; false when the process was already gone.</summary>
    public static bool Kill(int pid) => LibC.Kill(pid, LibC.SIGKILL) == 0;

    private static (char State, ulong StartTicks)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) S ppid ..." — comm may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return fields.Length > 19 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (fields[0][0], ticks)
            : null;
    }
}
