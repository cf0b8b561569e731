using System.Diagnostics;
using Shim.Containerd.Tests;

namespace Shim.Pipeline.Tests;

/// <summary>
/// Runs a process feeding its stdin while its stdout is read, so a round trip larger than the pipes
/// (stdin → ctr → shim → agent → cat → back) cannot stall on a full stdout pipe. Killed at the deadline.
/// </summary>
public static class StreamingProcess
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, ReadOnlyMemory<byte> stdin, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        var feed = Task.Run(async () =>
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The reader went away early; the exit code and stderr say why.
            }
        });
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            await Task.WhenAll(copy, feed).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}; stdout so far {stdout.Length} bytes");
        }
        return new ProcessResult(process.ExitCode, stdout.ToArray(), await stderr.WaitAsync(timeout), clock.Elapsed);
    }
}
