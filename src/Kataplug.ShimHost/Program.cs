// containerd-shim-kataplug-v2: the shim binary containerd starts for runtime io.containerd.kataplug.v2.
// The ttrpc Task service lands with its own issue; until then every action says so plainly.
namespace Kataplug.ShimHost;

public static class Program
{
    public static int Main(string[] args)
    {
        var action = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "(none)";
        Console.Error.WriteLine($"containerd-shim-kataplug-v2: action '{action}' is not implemented yet; the containerd Task service is not built into this version");
        return 1;
    }
}
