// containerd-shim-kataplug-v2: the shim binary containerd starts for runtime io.containerd.kataplug.v2.
// The process contract (start / delete / serve) and the Task service live in Shim.Containerd; this binary only
// chooses the sandbox pipeline.
using Shim.Containerd.Lifecycle;

namespace Kataplug.ShimHost;

public static class Program
{
    public static Task<int> Main(string[] args) => ShimProgram.RunAsync(args, ShimProgram.DefaultPipeline);
}
