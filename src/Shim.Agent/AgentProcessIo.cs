namespace Shim.Agent;

/// <summary>
/// Kata's I/O loops for one process (kata-agent-protocol.md §3.5), bridging agent RPCs and host streams
/// (e.g. containerd's stdio FIFOs): output is polled with <c>Read*</c> until the empty reply (EOF) and must be
/// kept outstanding for the process's whole life (a full pipe blocks it); input goes out in chunks, then
/// <c>CloseStdin</c> at EOF so a reader of stdin terminates.
/// </summary>
public static class AgentProcessIo
{
    /// <summary>Largest <c>WriteStdin</c> chunk; well under the 4 MiB ttrpc frame limit.</summary>
    public const int StdinChunk = 64 * 1024;

    /// <summary>Copies the process's stdout (or stderr) to <paramref name="destination"/> until EOF; returns the byte count.</summary>
    public static async Task<long> CopyOutputAsync(
        AgentClient client, string containerId, string execId, bool stderr, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(destination);
        long total = 0;
        while (true)
        {
            var chunk = stderr
                ? await client.ReadStderrAsync(containerId, execId, cancellationToken).ConfigureAwait(false)
                : await client.ReadStdoutAsync(containerId, execId, cancellationToken).ConfigureAwait(false);
            if (chunk.IsEmpty)
            {
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                return total;
            }
            await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            total += chunk.Length;
        }
    }

    /// <summary>Copies <paramref name="source"/> to the process's stdin until EOF, then sends <c>CloseStdin</c>; returns the byte count.</summary>
    public static async Task<long> CopyInputAsync(
        AgentClient client, string containerId, string execId, Stream source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(source);
        var buffer = new byte[StdinChunk];
        long total = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var accepted = await client.WriteStdinAsync(containerId, execId, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            if (accepted != n)
            {
                // The agent writes everything before replying (§2.5); anything else means a different agent.
                throw new AgentException($"{AgentServiceNames.Agent}/{AgentServiceNames.WriteStdin}", Ttrpc.StatusCode.DataLoss,
                    $"agent accepted {accepted} of {n} bytes");
            }
            total += n;
        }
        await client.CloseStdinAsync(containerId, execId, cancellationToken).ConfigureAwait(false);
        return total;
    }
}
