namespace Shim.Benchmarks.ShimProcesses;

/// <summary>
/// The published shim binary and plugins that <c>hack/setup.sh</c> puts in <c>out/</c> (ReadyToRun, as deployed).
/// <c>KATAPLUG_BENCH_SHIM</c> and <c>KATAPLUG_BENCH_PLUGINS</c> point elsewhere (e.g. a scratch publish).
/// </summary>
public sealed record ShimArtifacts(string? Binary, string? PluginsDirectory, string Why)
{
    public const string BinaryVariable = "KATAPLUG_BENCH_SHIM";
    public const string PluginsVariable = "KATAPLUG_BENCH_PLUGINS";

    public static ShimArtifacts Locate()
    {
        var repo = RepositoryRoot();
        var binary = Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } b ? b
            : repo is null ? null : Path.Combine(repo, "out", "bin", "containerd-shim-kataplug-v2");
        var plugins = Environment.GetEnvironmentVariable(PluginsVariable) is { Length: > 0 } p ? p
            : repo is null ? null : Path.Combine(repo, "out", "plugins");
        if (binary is null || !File.Exists(binary))
        {
            return new ShimArtifacts(null, null, $"skipped: no published shim at {binary ?? "out/bin"} (run hack/setup.sh, or set {BinaryVariable})");
        }
        return new ShimArtifacts(binary, plugins is not null && Directory.Exists(plugins) ? plugins : null, binary);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Shim.sln")))
            {
                return dir.FullName;
            }
        }
        return Directory.Exists("out") ? Directory.GetCurrentDirectory() : null;
    }
}
