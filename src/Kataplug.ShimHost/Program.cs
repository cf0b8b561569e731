// containerd-shim-kataplug-v2: the shim binary containerd starts for runtime io.containerd.kataplug.v2.
// The process contract (start / delete / serve) and the Task service live in Shim.Containerd; the sandbox pipeline
// (discover → plan → validate → bind → QEMU → hot-plug, and its teardown) lives in Shim.Sandbox.
using Shim.Containerd.Lifecycle;
using Shim.Sandbox.Pipeline;

namespace Kataplug.ShimHost;

public static class Program
{
    public static Task<int> Main(string[] args) =>
        ShimProgram.RunAsync(args, logger => SandboxPipeline.ForShimDaemon(logger, DaemonConfigPath(args)));

    // The factory only runs in serve mode, whose arguments ShimProgram has already parsed successfully.
    private static string? DaemonConfigPath(string[] args)
    {
        try
        {
            return ShimFlagParser.Parse(args).RuntimeConfigPath;
        }
        catch (ShimUsageException)
        {
            return null;
        }
    }
}
