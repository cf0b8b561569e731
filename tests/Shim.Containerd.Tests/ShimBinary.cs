namespace Shim.Containerd.Tests;

/// <summary>Locates the built containerd-shim-kataplug-v2 apphost (src/Kataplug.ShimHost/bin/&lt;config&gt;/net10.0).</summary>
public static class ShimBinary
{
    public const string FileName = "containerd-shim-kataplug-v2";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Shim.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Shim.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The apphost built alongside this test assembly (same configuration and framework).</summary>
    public static string Path
    {
        get
        {
            // .../tests/Shim.Containerd.Tests/bin/<Configuration>/<tfm>/
            var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = tfmDir.Parent!.Name;
            var path = System.IO.Path.Combine(RepositoryRoot(), "src", "Kataplug.ShimHost", "bin", configuration, tfmDir.Name, FileName);
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: build src/Kataplug.ShimHost ({configuration}) first");
        }
    }

    /// <summary>The documented sample configuration (valid, loads with the defaults).</summary>
    public static string SampleConfiguration => System.IO.Path.Combine(RepositoryRoot(), "config", "configuration.toml");
}
