namespace Shim.Toml.Tests.Conformance;

/// <summary>Locates the toml-test suite (../shared/toml-test next to the repo, or $TOML_TEST_DIR) and lists its cases.</summary>
public static class TomlTestSuite
{
    private static readonly Lazy<string> RootDirectory = new(Locate);

    public static string Root => RootDirectory.Value;

    /// <summary>Relative paths ("valid/string/escapes.toml") of every .toml file under valid/ or invalid/.</summary>
    public static TheoryData<string> Cases(string kind)
    {
        var data = new TheoryData<string>();
        var dir = Path.Combine(Root, kind);
        foreach (var file in Directory.EnumerateFiles(dir, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        return data;
    }

    public static string FullPath(string relative) => Path.Combine(Root, relative);

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("TOML_TEST_DIR");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(Path.Combine(fromEnv, "valid"))
                ? fromEnv
                : throw new DirectoryNotFoundException($"TOML_TEST_DIR={fromEnv} does not contain the toml-test suite (no valid/ directory); point it at a toml-test checkout");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Shim.sln")))
                continue;
            var suite = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "toml-test"));
            return Directory.Exists(Path.Combine(suite, "valid"))
                ? suite
                : throw new DirectoryNotFoundException($"the toml-test suite is missing: expected it at {suite} (next to the repository), or set TOML_TEST_DIR");
        }
        throw new DirectoryNotFoundException($"cannot find Shim.sln above {AppContext.BaseDirectory} to locate ../shared/toml-test; set TOML_TEST_DIR");
    }
}
