// containerd-shim-kataplug-v2: the shim binary containerd starts for runtime io.containerd.kataplug.v2.
// The process contract (start / delete / serve) and the Task service live in Shim.Containerd; the sandbox pipeline
// (discover → plan → validate → bind → QEMU → hot-plug, and its teardown) lives in Shim.Sandbox.
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Pipeline;

namespace Kataplug.ShimHost;

public static class Program
{
    public static Task<int> Main(string[] args) => ShimProgram.RunAsync(args, logger => DaemonPipeline(logger, args));

    // Serve mode only (ShimProgram has parsed the arguments successfully by then). The warm-up starts at once: Create
    // arrives a few milliseconds after the daemon listens, and measured on two loaded cores, a warm-up held back until
    // then left Create slower while start gained nothing. It stands down when Create arrives.
    private static SandboxPipeline DaemonPipeline(ILogger logger, string[] args)
    {
        var flags = ShimFlagParser.Parse(args);
        var options = new PipelineWarmupOptions(flags.RuntimeConfigPath, flags.Bundle, PhysicalConfigurationFileSystem.Instance,
            Environment.GetEnvironmentVariable, PluginOwnerPolicy.RootOrCurrentUser);
        return new SandboxPipeline(logger) { Warmup = PipelineWarmup.Begin(options, logger) };
    }
}
