using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shim.Containerd.Events;
using Shim.Containerd.Logging;
using Shim.Containerd.Tasks;
using Shim.Ttrpc;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// The <c>serve</c> action: the long-lived daemon <c>start</c> spawned. Logs to the bundle's log fifo, serves the
/// Task service on the socket, forwards events to <c>TTRPC_ADDRESS</c>, and exits once <c>Shutdown</c> finds no
/// task left (or on SIGTERM).
/// </summary>
public sealed class ShimDaemon(ShimFlags flags, string bundleDirectory, Func<ILogger, ISandboxPipeline> pipelineFactory)
{
    public const string TtrpcAddressVariable = "TTRPC_ADDRESS";

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EventFlushTimeout = TimeSpan.FromSeconds(2);

    public async Task<int> RunAsync()
    {
        var sink = FifoLogSink.TryOpen(Path.Combine(bundleDirectory, "log"));
        var fields = new Dictionary<string, string> { ["runtime"] = "io.containerd.kataplug.v2", ["id"] = flags.Id, ["namespace"] = flags.Namespace };
        // One provider, no LoggerFactory: the factory's dependency-injection container costs the daemon's start-up
        // several assemblies and milliseconds, and containerd waits for this process to listen.
        using var provider = sink is null ? null : new StructuredLineLoggerProvider(sink, flags.Debug ? LogLevel.Debug : LogLevel.Information, fields);
        var logger = provider?.CreateLogger("kataplug.shim") ?? NullLogger.Instance;
        try
        {
            // No PR_SET_CHILD_SUBREAPER yet: adopted orphans would need a waitpid(-1) reaper, which would steal the
            // exit status of children started through System.Diagnostics.Process (QEMU in Shim.Qemu).
            var ttrpcAddress = Environment.GetEnvironmentVariable(TtrpcAddressVariable);
            await using IEventPublisher events = string.IsNullOrEmpty(ttrpcAddress)
                ? new NullEventPublisher(logger)
                : new TtrpcEventPublisher(ttrpcAddress, flags.Namespace, logger);
            var service = new TaskService(flags.Namespace, pipelineFactory(logger), events, logger, flags.RuntimeConfigPath);
            await using var server = new TtrpcServer(new TtrpcServerOptions { Logger = logger });
            service.Register(server);
            server.Listen(flags.Socket!);
            if (ReadinessSignal.Send(flags.ReadyFd) is { } notSignalled)
            {
                logger.LogWarning("{Problem}", notSignalled);
            }
            logger.LogInformation("serving {Socket} (pid {Pid})", flags.Socket, Environment.ProcessId);

            var terminated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
            {
                ctx.Cancel = true;
                terminated.TrySetResult();
            });
            await Task.WhenAny(service.ShutdownRequested, terminated.Task).ConfigureAwait(false);
            logger.LogInformation("shutting down: {Reason}", service.ShutdownRequested.IsCompleted ? "Shutdown RPC" : "SIGTERM");

            // The Shutdown reply is in flight: draining lets it reach containerd (which also accepts a close).
            await server.StopAsync(DrainTimeout).ConfigureAwait(false);
            await events.FlushAsync(EventFlushTimeout).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex)
        {
            var reason = ex.Message.ReplaceLineEndings(" ");
            logger.LogError(ex, "shim daemon failed");
            try
            {
                File.WriteAllText(Path.Combine(bundleDirectory, ShimStart.ServeErrorFileName), reason);
            }
            catch (Exception writeError) when (writeError is IOException or UnauthorizedAccessException)
            {
                logger.LogError("cannot record the failure in the bundle: {Error}", writeError.Message);
            }
            return 1;
        }
    }
}
