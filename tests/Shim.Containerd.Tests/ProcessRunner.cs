using System.Diagnostics;

namespace Shim.Containerd.Tests;

/// <summary>Result of a finished process: exit code, raw stdout bytes, stderr text, wall time.</summary>
public sealed record ProcessResult(int ExitCode, byte[] Stdout, string Stderr, TimeSpan Elapsed)
{
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:0} ms; stdout: {StdoutText}; stderr: {Stderr}";
}

/// <summary>Runs a process to completion with a deadline (killed, and the test failed, when it passes).</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, byte[]? stdin = null)
    {
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }
        var elapsed = clock.Elapsed;
        await copy.WaitAsync(timeout);
        return new ProcessResult(process.ExitCode, stdout.ToArray(), await stderr.WaitAsync(timeout), elapsed);
    }
}
