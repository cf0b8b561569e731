using Microsoft.Extensions.Logging;
using Shim.Containerd.Tasks;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Entry point of <c>containerd-shim-kataplug-v2</c>: dispatches start / delete / serve and keeps stdout clean —
/// <c>start</c> prints only the address, <c>delete</c> only the DeleteResponse bytes; reasons go to stderr as one
/// line and never as an unhandled-exception dump (containerd-shim-v2.md §17).
/// </summary>
public static class ShimProgram
{
    /// <param name="pipelineFactory">Builds the daemon's sandbox pipeline (the lead's discovery → plan → bind → QEMU).</param>
    public static async Task<int> RunAsync(string[] args, Func<ILogger, ISandboxPipeline> pipelineFactory)
    {
        ShimFlags flags;
        try
        {
            flags = ShimFlagParser.Parse(args);
        }
        catch (ShimUsageException ex)
        {
            await Console.Error.WriteLineAsync($"containerd-shim-kataplug-v2: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        var bundle = flags.Bundle ?? Directory.GetCurrentDirectory();
        try
        {
            return flags.Action switch
            {
                ShimAction.Start => await StartAsync(flags, bundle).ConfigureAwait(false),
                ShimAction.Delete => await DeleteAsync(flags, bundle).ConfigureAwait(false),
                _ => await new ShimDaemon(flags, bundle, pipelineFactory).RunAsync().ConfigureAwait(false),
            };
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"containerd-shim-kataplug-v2 {flags.Action.ToString().ToLowerInvariant()}: {ex.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> StartAsync(ShimFlags flags, string bundle)
    {
        string? configPath;
        try
        {
            using var stdin = Console.OpenStandardInput();
            configPath = RuntimeOptionsReader.ConfigPathFromStdinBytes(RuntimeOptionsReader.ReadAll(stdin));
        }
        catch (InvalidDataException ex)
        {
            throw new ShimStartException(ex.Message, ex);
        }
        using var cancel = new CancellationTokenSource(ShimStart.ReadyTimeout + TimeSpan.FromSeconds(5));
        var address = await new ShimStart(flags, bundle, ShimSocketAddress.Directory(), ShimExecutable.Current())
            .RunAsync(configPath, cancel.Token).ConfigureAwait(false);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(System.Text.Encoding.UTF8.GetBytes(address));
        return 0;
    }

    private static async Task<int> DeleteAsync(ShimFlags flags, string bundle)
    {
        var (response, clean) = await new ShimDelete(flags, bundle, ShimSocketAddress.Directory(), Console.Error)
            .RunAsync(CancellationToken.None).ConfigureAwait(false);
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Google.Protobuf.MessageExtensions.ToByteArray(response));
        return clean ? 0 : 1;
    }
}
