using System.Diagnostics;
using Shim.Ttrpc;
using OciProcess = Shim.Agent.Protocol.Process;

namespace Shim.TestAgent;

/// <summary>
/// One container process: started from the OCI process (args, env, cwd) under <c>chroot</c> when the
/// container has a rootfs other than <c>/</c>, with piped stdio read and written by the I/O RPCs.
/// </summary>
public sealed class GuestProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource<Process> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim stdoutGate = new(1, 1);
    private readonly SemaphoreSlim stderrGate = new(1, 1);
    private readonly SemaphoreSlim stdinGate = new(1, 1);
    private bool stdinClosed;
    private int startRequested;

    public GuestProcess(string execId, OciProcess spec, string rootfs)
    {
        ExecId = execId;
        Spec = spec;
        Rootfs = rootfs;
    }

    public string ExecId { get; }

    public OciProcess Spec { get; }

    public string Rootfs { get; }

    public int? Pid => started.Task.IsCompletedSuccessfully ? started.Task.Result.Id : null;

    public void Start()
    {
        // Two racing StartContainer calls must not launch two processes.
        if (Interlocked.Exchange(ref startRequested, 1) != 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"process {ExecId} already started");
        }
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var cwd = string.IsNullOrEmpty(Spec.Cwd) ? "/" : Spec.Cwd;
        if (string.IsNullOrEmpty(Rootfs) || Rootfs == "/")
        {
            psi.FileName = Spec.Args[0];
            psi.WorkingDirectory = cwd;
            foreach (var arg in Spec.Args.Skip(1))
            {
                psi.ArgumentList.Add(arg);
            }
        }
        else
        {
            // chroot(8) then a tiny sh inside the rootfs to enter the cwd: `sh -c 'cd "$0" && exec "$@"' cwd args…`.
            psi.FileName = "chroot";
            foreach (var arg in new[] { Rootfs, "/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd }.Concat(Spec.Args))
            {
                psi.ArgumentList.Add(arg);
            }
        }
        psi.Environment.Clear();
        foreach (var entry in Spec.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            psi.Environment[entry[..eq]] = entry[(eq + 1)..];
        }
        try
        {
            started.SetResult(Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null"));
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            var failure = new TtrpcException(StatusCode.Internal, $"cannot start process '{Spec.Args[0]}' ({ExecId}): {ex.Message}", ex);
            started.TrySetException(failure);
            throw failure;
        }
    }

    public async Task<byte[]> ReadAsync(bool stderr, int maxBytes, CancellationToken cancellationToken)
    {
        var process = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var gate = stderr ? stderrGate : stdoutGate;
        var stream = stderr ? process.StandardError.BaseStream : process.StandardOutput.BaseStream;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var buffer = new byte[maxBytes];
            var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return n == buffer.Length ? buffer : buffer[..n];
        }
        catch (ObjectDisposedException)
        {
            return [];
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Writes everything; empty <paramref name="data"/> closes stdin (agent semantics).</summary>
    public async Task<int> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var process = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await stdinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (data.IsEmpty)
            {
                CloseStdinLocked(process);
                return 0;
            }
            if (stdinClosed)
            {
                throw new TtrpcException(StatusCode.Internal, $"stdin of {ExecId} is closed");
            }
            var stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            return data.Length;
        }
        catch (IOException ex)
        {
            throw new TtrpcException(StatusCode.Internal, $"write to stdin of {ExecId} failed: {ex.Message}", ex);
        }
        finally
        {
            stdinGate.Release();
        }
    }

    public async Task CloseStdinAsync(CancellationToken cancellationToken)
    {
        var process = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await stdinGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CloseStdinLocked(process);
        }
        finally
        {
            stdinGate.Release();
        }
    }

    private void CloseStdinLocked(Process process)
    {
        if (!stdinClosed)
        {
            stdinClosed = true;
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The reader is gone already (EPIPE on flush): stdin is closed either way.
            }
        }
    }

    /// <summary>Exit code, or 128 + signal (what .NET reports for a signalled child, and what the agent returns).</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        var process = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (started.Task.IsCompletedSuccessfully)
        {
            PosixKill.Send(started.Task.Result.Id, signal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (started.Task.IsCompletedSuccessfully)
        {
            var process = started.Task.Result;
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
            }
            process.Dispose();
        }
        else
        {
            started.TrySetException(new TtrpcException(StatusCode.NotFound, $"process {ExecId} was removed before it started"));
        }
    }
}
