using Microsoft.Extensions.Logging;
using Shim.Agent;
using Shim.Containerd.Io;
using Shim.Containerd.Tasks;

namespace Shim.Sandbox.Containers;

/// <summary>
/// containerd's stdio fifos ↔ the agent's stream RPCs for one process (kata-agent-protocol.md §3.5). Output reads
/// stay outstanding for the process's whole life, even when nobody reads the fifo any more (a full pipe would block
/// the process), and each output fifo is closed at EOF so containerd's copy ends. stdin is copied until containerd
/// closes its end, then <c>CloseStdin</c>; with no stdin fifo the process gets EOF at once, like /dev/null.
/// </summary>
public sealed class ProcessStdioPump
{
    private readonly AgentClient agent;
    private readonly string containerId;
    private readonly string execId;
    private readonly ILogger logger;
    private readonly StdioFifo? stdin;
    private readonly CancellationTokenSource abort = new();

    private ProcessStdioPump(AgentClient agent, string containerId, string execId, TaskIo io, ILogger logger)
    {
        this.agent = agent;
        this.containerId = containerId;
        this.execId = execId;
        this.logger = logger;
        // Output fifos first: containerd's readers are already open, so these opens complete at once.
        var stdout = io.Stdout.Length > 0 ? StdioFifo.OpenOutput(io.Stdout) : null;
        var stderr = !io.Terminal && io.Stderr.Length > 0 ? StdioFifo.OpenOutput(io.Stderr) : null;
        stdin = io.Stdin.Length > 0 ? StdioFifo.OpenStdin(io.Stdin) : null;
        var outputs = new List<Task<long>> { CopyOutputAsync(stdout, stderr: false) };
        // A terminal has one stream: both RPCs read the same pty (§3.5), so only stdout is polled.
        if (!io.Terminal) outputs.Add(CopyOutputAsync(stderr, stderr: true));
        OutputDone = Task.WhenAll(outputs);
        InputDone = CopyInputAsync();
    }

    /// <summary>Starts the copy loops of a process the agent just started.</summary>
    public static ProcessStdioPump Start(AgentClient agent, string containerId, string execId, TaskIo io, ILogger logger) =>
        new(agent, containerId, execId, io, logger);

    /// <summary>Completes when every output stream reached EOF and its fifo is closed (bytes copied per stream).</summary>
    public Task<long[]> OutputDone { get; }

    /// <summary>Completes when stdin was copied and closed (bytes copied), or abandoned (-1).</summary>
    public Task<long> InputDone { get; }

    /// <summary>containerd's CloseIO: if its writer never opened the stdin fifo, stop waiting for it (the process gets EOF).</summary>
    public void CloseStdin() => stdin?.Release();

    /// <summary>Stops every loop (the process is gone or the sandbox is being torn down).</summary>
    public void Abort()
    {
        abort.Cancel();
        stdin?.Release();
    }

    private async Task<long> CopyOutputAsync(StdioFifo? fifo, bool stderr)
    {
        var name = stderr ? "stderr" : "stdout";
        Stream? destination = null;
        var discarding = fifo is null;
        long total = 0;
        try
        {
            while (true)
            {
                var chunk = stderr
                    ? await agent.ReadStderrAsync(containerId, execId, abort.Token).ConfigureAwait(false)
                    : await agent.ReadStdoutAsync(containerId, execId, abort.Token).ConfigureAwait(false);
                if (chunk.IsEmpty) return total;
                total += chunk.Length;
                if (discarding) continue;
                try
                {
                    destination ??= await fifo!.Opened.WaitAsync(abort.Token).ConfigureAwait(false);
                    if (destination is null)
                    {
                        discarding = true;
                        continue;
                    }
                    await destination.WriteAsync(chunk, abort.Token).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // containerd's reader went away (ctr -d exited): keep draining so the process never blocks.
                    logger.LogInformation("{Container}/{Exec}: {Stream} fifo closed by its reader ({Error}); discarding further output", containerId, execId, name, ex.Message);
                    discarding = true;
                }
            }
        }
        catch (AgentException ex) when (ex.Code == Shim.Ttrpc.StatusCode.NotFound)
        {
            return total; // the agent already forgot the process: nothing more will come
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return total;
        }
        finally
        {
            fifo?.Release();
            if (destination is null && fifo is not null && fifo.Opened.IsCompletedSuccessfully) destination = fifo.Opened.Result;
            if (destination is not null) await destination.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<long> CopyInputAsync()
    {
        try
        {
            var source = stdin is null ? null : await stdin.Opened.WaitAsync(abort.Token).ConfigureAwait(false);
            if (source is null)
            {
                await agent.CloseStdinAsync(containerId, execId, abort.Token).ConfigureAwait(false);
                return 0;
            }
            await using (source.ConfigureAwait(false))
            {
                // Chunks, then CloseStdin at EOF: the agent library's own loop.
                return await AgentProcessIo.CopyInputAsync(agent, containerId, execId, source, abort.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AgentException or IOException or OperationCanceledException)
        {
            // The process exited (code 5) or stopped reading: what it did not read is dropped, as with a pipe.
            logger.LogDebug("{Container}/{Exec}: stdin copy ended early: {Error}", containerId, execId, ex.Message);
            return -1;
        }
    }
}
