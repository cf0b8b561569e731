using System.Diagnostics;

namespace Shim.Benchmarks.ShimProcesses;

/// <summary>Runs the shim binary as containerd does (cwd = bundle, the runtime options on stdin) and times it.</summary>
public sealed class ShimInvocation(string binary, string socketDirectory, string containerdAddress)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Wall);

    public async Task<Result> RunAsync(string bundle, string id, string action, byte[]? stdin)
    {
        var psi = new ProcessStartInfo(binary)
        {
            WorkingDirectory = bundle,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-namespace", "bench", "-address", containerdAddress, "-publish-binary", "/bin/true", "-id", id, "-bundle", bundle, action })
        {
            psi.ArgumentList.Add(a);
        }
        if (Environment.GetEnvironmentVariable("KATAPLUG_BENCH_DEBUG") == "1")
        {
            psi.ArgumentList.Insert(0, "-debug"); // the daemon then logs its warm-up and plugin-load times
        }
        psi.Environment["KATAPLUG_SHIM_SOCKET_DIR"] = socketDirectory;
        using var deadline = new CancellationTokenSource(Deadline);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {binary}");
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, deadline.Token);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        var wall = clock.Elapsed;
        return new Result(process.ExitCode, await stdout, await stderr, wall);
    }
}
