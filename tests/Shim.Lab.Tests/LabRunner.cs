using System.Diagnostics;
using System.Text;

namespace Shim.Lab.Tests;

/// <summary>
/// Runs a lab scenario through `hack/lab/run.sh` with a hard deadline. The script itself bounds the VM
/// (QEMU under `timeout`); this deadline is the outer guard that kills the whole process tree.
/// </summary>
public static class LabRunner
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static async Task<LabResult> RunScenarioAsync(string scenario, TimeSpan deadline)
    {
        RequirePrerequisites();
        var script = Path.Combine(RepoRoot, "hack", "lab", "scenarios", scenario);
        File.Exists(script).ShouldBeTrue($"scenario {script} is missing");
        // run.sh gets 60 s less than our deadline so that it can still report a VM that overran.
        var vmSeconds = (int)Math.Max(60, deadline.TotalSeconds - 60);
        return await RunAsync(Path.Combine(RepoRoot, "hack", "lab", "run.sh"), [script, "--timeout", vmSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], deadline);
    }

    public static async Task<LabResult> RunAsync(string program, IReadOnlyList<string> args, TimeSpan deadline)
    {
        var start = Stopwatch.StartNew();
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoRoot };
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start bash {program}");
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) output.Append(e.Data).Append('\n'); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            lock (gate)
                throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {deadline.TotalSeconds:F0} s; output so far:\n{output}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (gate)
            return new LabResult(process.ExitCode, output.ToString(), start.Elapsed);
    }

    /// <summary>Fails loudly (never skips) when the lab cannot run here, naming the fix.</summary>
    public static void RequirePrerequisites()
    {
        OnPath("qemu-system-x86_64").ShouldBeTrue("qemu-system-x86_64 is not installed: run hack/setup.sh (installs qemu-system-x86)");
        OnPath("apt-get").ShouldBeTrue("apt-get is missing: the lab builds its guest from Debian packages (Debian 12 host required)");
        var cli = Path.Combine(RepoRoot, "out", "bin", "kataplug.dll");
        File.Exists(cli).ShouldBeTrue($"{cli} is missing: run hack/setup.sh, which publishes out/ (the guest runs the CLI from there)");
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, name)));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Shim.sln")) && Directory.Exists(Path.Combine(dir.FullName, "hack", "lab")))
                return dir.FullName;
        throw new InvalidOperationException($"no Shim.sln with hack/lab above {AppContext.BaseDirectory}");
    }
}
