using System.Globalization;
using System.Runtime.InteropServices;

namespace Shim.TestAgent;

/// <summary>
/// What a container cgroup would count, read from <c>/proc</c> for a set of root pids and all their live
/// descendants: process count, CPU time (utime + stime, in ns) and resident memory (bytes).
/// </summary>
public sealed partial record ProcessTreeStats(int Processes, ulong UserNanoseconds, ulong KernelNanoseconds, ulong ResidentBytes)
{
    private const int ScClkTck = 2;

    private static readonly ulong NanosecondsPerTick = 1_000_000_000UL / (ulong)Math.Max(1, SysConf(ScClkTck));

    public ulong TotalNanoseconds => UserNanoseconds + KernelNanoseconds;

    public static ProcessTreeStats Read(IEnumerable<int> roots)
    {
        var all = new Dictionary<int, ProcStat>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.TryRead(pid) is { } stat)
            {
                all[pid] = stat;
            }
        }
        var children = all.Values.ToLookup(s => s.ParentPid);
        var seen = new HashSet<int>();
        var queue = new Queue<int>(roots.Where(all.ContainsKey));
        while (queue.TryDequeue(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }
            foreach (var child in children[pid])
            {
                queue.Enqueue(child.Pid);
            }
        }
        // Zombies are gone as far as the container's resources are concerned.
        var live = seen.Select(p => all[p]).Where(s => s.State != 'Z').ToList();
        var page = (ulong)Environment.SystemPageSize;
        return new ProcessTreeStats(
            live.Count,
            (ulong)live.Sum(s => (decimal)s.UserTicks) * NanosecondsPerTick,
            (ulong)live.Sum(s => (decimal)s.KernelTicks) * NanosecondsPerTick,
            (ulong)live.Sum(s => (decimal)s.ResidentPages) * page);
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> used here (proc(5): state 3, ppid 4, utime 14, stime 15, rss 24).</summary>
    private sealed record ProcStat(int Pid, char State, int ParentPid, ulong UserTicks, ulong KernelTicks, ulong ResidentPages)
    {
        public static ProcStat? TryRead(int pid)
        {
            string text;
            try
            {
                text = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null; // exited while we scanned
            }
            // comm may contain spaces and parentheses: the fields start after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            ulong Field(int number) => ulong.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return new ProcStat(pid, fields[0][0], (int)Field(4), Field(14), Field(15), Field(24));
        }
    }
}
