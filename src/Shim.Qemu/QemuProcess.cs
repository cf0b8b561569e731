using System.Diagnostics;
using Shim.Qmp;

namespace Shim.Qemu;

/// <summary>
/// A running QEMU with its QMP connection. Start races the QMP handshake against process exit, so a bad command
/// line surfaces as QEMU's own stderr line, not a socket error. Disposal always ends the process (quit, then SIGKILL).
/// </summary>
public sealed class QemuProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitAfterResetGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private readonly Process _process;
    private readonly Task<int> _exited;
    private QmpClient? _qmp;

    private QemuProcess(Process process, QemuLaunchSpec spec, IReadOnlyList<string> commandLine, StderrLog stderr)
    {
        _process = process;
        Spec = spec;
        CommandLine = commandLine;
        Stderr = stderr;
        _exited = WaitExitAsync(process);
    }

    public QemuLaunchSpec Spec { get; }

    /// <summary>Binary followed by its arguments.</summary>
    public IReadOnlyList<string> CommandLine { get; }

    public StderrLog Stderr { get; }

    public int Pid => _process.Id;

    public QmpClient Qmp => _qmp ?? throw new InvalidOperationException("QEMU is not started.");

    /// <summary>Completes with QEMU's exit code (128+signal when killed by a signal).</summary>
    public Task<int> Exited => _exited;

    /// <summary>
    /// Validates the spec, unlinks a stale socket, starts QEMU and completes the QMP handshake within
    /// <paramref name="startTimeout"/>. Throws <see cref="QemuConfigurationException"/> before launch for a bad spec and
    /// <see cref="QemuStartException"/> (QEMU's stderr verbatim) when QEMU exits or does not answer.
    /// </summary>
    public static async Task<QemuProcess> StartAsync(QemuLaunchSpec spec, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var args = QemuCommandLine.Build(spec);
        var socketDir = Path.GetDirectoryName(Path.GetFullPath(spec.QmpSocketPath));
        if (socketDir is null || !Directory.Exists(socketDir))
        {
            throw new QemuConfigurationException($"Directory '{socketDir}' of QMP socket '{spec.QmpSocketPath}' does not exist; create the sandbox runtime directory first.");
        }
        // A leftover socket file from an earlier (failed) QEMU would be connected to and refused.
        File.Delete(spec.QmpSocketPath);
        if (spec.SerialSocketPath is not null) File.Delete(spec.SerialSocketPath);

        var psi = new ProcessStartInfo(spec.Binary)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var stderr = new StderrLog();
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Add(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        IReadOnlyList<string> commandLine = [spec.Binary, .. args];
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new QemuStartException($"cannot execute '{spec.Binary}' ({e.Message}); install QEMU or set Binary", null, "", "", commandLine, e);
        }
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var qemu = new QemuProcess(process, spec, commandLine, stderr);
        try
        {
            qemu._qmp = await qemu.ConnectAsync(startTimeout, cancellationToken).ConfigureAwait(false);
            return qemu;
        }
        catch
        {
            await qemu.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<QmpClient> ConnectAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var socketPath = Spec.QmpSocketPath;
        // QEMU binds its socket ~30-50 ms after exec; a short fixed poll adds at most ~2 ms to start-up.
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_exited.IsCompleted) throw await StartFailureAsync("QEMU exited before QMP was ready", null).ConfigureAwait(false);
            var left = timeout - sw.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new QemuStartException($"QMP at '{socketPath}' not ready within {timeout.TotalMilliseconds:0} ms", null, Stderr.Errors, Stderr.Text, CommandLine);
            }
            if (File.Exists(socketPath))
            {
                try
                {
                    var qmp = await QmpClient.ConnectAsync(socketPath, left, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        // QEMU greets before it has processed every -device; a command proves it reached its main loop.
                        await qmp.ExecuteAsync("query-status", null, left, cancellationToken).ConfigureAwait(false);
                        return qmp;
                    }
                    catch
                    {
                        await qmp.DisposeAsync().ConfigureAwait(false);
                        throw;
                    }
                }
                catch (QmpConnectionLostException e) when (e.NeverConnected)
                {
                    // Socket file bound but not listening yet: retry below (exit is checked each round).
                }
                catch (QmpConnectionLostException e)
                {
                    // The start-up race (qmp.md §4.1): greeting, then ECONNRESET and exit 1. Report QEMU's words.
                    var exited = await Task.WhenAny(_exited, Task.Delay(ExitAfterResetGrace, cancellationToken)).ConfigureAwait(false);
                    if (exited == _exited) throw await StartFailureAsync("QEMU exited during the QMP handshake", e).ConfigureAwait(false);
                    // Still alive: the socket was not listening yet; retry.
                }
                catch (QmpTimeoutException e)
                {
                    throw new QemuStartException(e.Message, null, Stderr.Errors, Stderr.Text, CommandLine, e);
                }
            }
            await Task.WhenAny(_exited, Task.Delay(delay, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task<QemuStartException> StartFailureAsync(string reason, Exception? inner)
    {
        var code = await _exited.ConfigureAwait(false);
        return new QemuStartException(reason, code, Stderr.Errors, Stderr.Text, CommandLine, inner);
    }

    /// <summary>PCI hotplug over this VM's ports, aware of what the command line cold-plugged.</summary>
    public PciHotplug CreatePciHotplug() => new(Qmp, Spec.Topology, Spec.Devices);

    /// <summary>vCPU hotplug within this VM's smp topology and accelerator.</summary>
    public VcpuHotplug CreateVcpuHotplug() => new(Qmp, Spec.Smp, Spec.Accelerator);

    /// <summary>
    /// After a <see cref="QmpConnectionLostException"/>: why QEMU went away, with its stderr (e.g. the 7.2/TCG
    /// "corrupted double-linked list" abort), or null if it is still running after <paramref name="wait"/>.
    /// </summary>
    public async Task<string?> DescribeExitAsync(TimeSpan wait)
    {
        if (await Task.WhenAny(_exited, Task.Delay(wait)).ConfigureAwait(false) != _exited) return null;
        var code = await _exited.ConfigureAwait(false);
        var errors = Stderr.Errors;
        return $"QEMU (pid {Pid}) exited with code {code}" + (code > 128 ? $" (signal {code - 128})" : "") +
               (errors.Length > 0 ? $": {errors}" : "; nothing on stderr");
    }

    /// <summary>Sends SIGKILL now (tests, and the last resort of <see cref="StopAsync"/>).</summary>
    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: false); }
        catch (InvalidOperationException) { /* already gone */ }
    }

    /// <summary>
    /// Graceful <c>quit</c>, then SIGKILL once <paramref name="gracePeriod"/> has passed. Returns the exit code.
    /// Bounded: never waits more than gracePeriod plus a few seconds for the kernel to reap the process.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        if (!_exited.IsCompleted && _qmp is { IsConnected: true } qmp)
        {
            try
            {
                await qmp.ExecuteAsync("quit", null, gracePeriod, cancellationToken).ConfigureAwait(false);
            }
            catch (QmpException)
            {
                // Already dying or unresponsive: the deadline below decides.
            }
        }
        if (await Task.WhenAny(_exited, Task.Delay(gracePeriod, CancellationToken.None)).ConfigureAwait(false) != _exited)
        {
            Kill();
            await Task.WhenAny(_exited, Task.Delay(KillWait, CancellationToken.None)).ConfigureAwait(false);
        }
        return _exited.IsCompleted ? await _exited.ConfigureAwait(false) : -1;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        if (_qmp is not null) await _qmp.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
        try { File.Delete(Spec.QmpSocketPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<int> WaitExitAsync(Process process)
    {
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode;
    }
}
