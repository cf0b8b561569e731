using System.Diagnostics;
using Shim.Ttrpc;
using OciProcess = Shim.Agent.Protocol.Process;

namespace Shim.TestAgent;

/// <summary>
/// One container process: started from the OCI process (args, env, cwd) under <c>chroot</c> when the
/// container has a rootfs other than <c>/</c>, with piped stdio read and written by the I/O RPCs — or, for
/// <c>Terminal</c>, a pty whose master the I/O RPCs read and write (<see cref="PseudoTerminal"/>).
/// </summary>
public sealed class GuestProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource<Process> started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim stdoutGate = new(1, 1);
    private readonly SemaphoreSlim stderrGate = new(1, 1);
    private readonly SemaphoreSlim stdinGate = new(1, 1);
    private readonly PseudoTerminal? terminal;
    private bool stdinClosed;
    private int startRequested;

    public GuestProcess(string execId, OciProcess spec, string rootfs)
    {
        ExecId = execId;
        Spec = spec;
        Rootfs = rootfs;
        if (spec.Terminal)
        {
            // Allocated at create time: TtyWinResize may come before the process starts.
            try
            {
                terminal = PseudoTerminal.Open();
                if (spec.ConsoleSize is { Height: > 0, Width: > 0 } size)
                {
                    terminal.Resize((ushort)size.Height, (ushort)size.Width);
                }
            }
            catch (InvalidOperationException ex)
            {
                terminal?.Dispose();
                throw new TtrpcException(StatusCode.Internal, $"cannot set up the terminal of {execId}: {ex.Message}", ex);
            }
        }
    }

    public string ExecId { get; }

    public OciProcess Spec { get; }

    public string Rootfs { get; }

    public int? Pid => started.Task.IsCompletedSuccessfully ? started.Task.Result.Id : null;

    /// <summary>Started and not yet exited.</summary>
    public bool IsRunning
    {
        get
        {
            try
            {
                return started.Task.IsCompletedSuccessfully && !started.Task.Result.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    public void Start()
    {
        // Two racing StartContainer calls must not launch two processes.
        if (Interlocked.Exchange(ref startRequested, 1) != 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"process {ExecId} already started");
        }
        var pipes = terminal is null;
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = pipes,
            RedirectStandardOutput = pipes,
            RedirectStandardError = pipes,
            UseShellExecute = false,
        };
        try
        {
            // Every launch goes through wrappers (env, chroot, setsid) that exec the program only later.
            GuestCommandLine.RequireProgram(Spec, Rootfs, ExecId);
            GuestCommandLine.Configure(psi, Spec, Rootfs, terminal?.SlavePath);
        }
        catch (TtrpcException ex)
        {
            started.TrySetException(ex);
            throw;
        }
        psi.Environment.Clear();
        foreach (var entry in Spec.Env)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            psi.Environment[entry[..eq]] = entry[(eq + 1)..];
        }
        try
        {
            var process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
            if (terminal is not null)
            {
                // Once the process is gone only its descendants can hold the slave; then the master reads EOF.
                _ = process.WaitForExitAsync().ContinueWith(_ => terminal.ReleaseSlave(), TaskScheduler.Default);
            }
            started.SetResult(process);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            var failure = new TtrpcException(StatusCode.Internal, $"cannot start process '{Spec.Args[0]}' ({ExecId}): {ex.Message}", ex);
            started.TrySetException(failure);
            throw failure;
        }
    }

    /// <summary>TtyWinResize: UNAVAILABLE "no tty" for a process without a terminal, as the agent.</summary>
    public void Resize(uint rows, uint columns)
    {
        if (terminal is null)
        {
            throw new TtrpcException(StatusCode.Unavailable, "no tty");
        }
        terminal.Resize((ushort)Math.Min(rows, ushort.MaxValue), (ushort)Math.Min(columns, ushort.MaxValue));
    }

    public async Task<byte[]> ReadAsync(bool stderr, int maxBytes, CancellationToken cancellationToken)
    {
        if (terminal is not null && stderr)
        {
            // A terminal process has one output stream, the pty, and it is read through ReadStdout.
            return [];
        }
        var process = await started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (terminal is not null)
        {
            await stdoutGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await terminal.ReadAsync(maxBytes, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                stdoutGate.Release();
            }
        }
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
            if (terminal is not null)
            {
                await terminal.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                return data.Length;
            }
            var stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            return data.Length;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
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
        if (!stdinClosed && terminal is not null)
        {
            stdinClosed = true;
            // A pty cannot be half-closed: send the terminal's end-of-file character (^D), which a reader in
            // canonical mode sees as EOF — "the process then reads EOF" (kata-agent-protocol.md §2.5).
            terminal.WriteAsync(new byte[] { 0x04 }, CancellationToken.None).GetAwaiter().GetResult();
        }
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
        terminal?.Dispose();
    }
}
