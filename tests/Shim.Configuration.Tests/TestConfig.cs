using System.Text;
using Shim.Configuration;

namespace Shim.Configuration.Tests;

internal static class TestConfig
{
    public const string Source = "test.toml";

    public static KataplugConfiguration Load(string toml, IReadOnlyDictionary<string, string>? annotations = null) =>
        ConfigurationLoader.Load(Encoding.UTF8.GetBytes(toml), Source, annotations);

    public static IReadOnlyList<ConfigurationProblem> Problems(string toml, IReadOnlyDictionary<string, string>? annotations = null) =>
        Should.Throw<ConfigurationException>(() => Load(toml, annotations)).Problems;

    public static string SingleProblem(string toml, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var problems = Problems(toml, annotations);
        problems.Count.ShouldBe(1, string.Join("\n", problems));
        return problems[0].ToString();
    }

    public static Dictionary<string, string> Annotations(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The repository root (where config/ lives), found from the test binary's directory.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "config", "configuration.toml")) && File.Exists(Path.Combine(dir.FullName, "DEVELOPERS.md")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"repository root with config/configuration.toml not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>An in-memory file system: nothing in these tests reads /etc.</summary>
internal sealed class FakeFileSystem(Dictionary<string, string> files) : IConfigurationFileSystem
{
    public List<string> Reads { get; } = [];

    public bool FileExists(string path) => files.ContainsKey(path);

    public byte[] ReadAllBytes(string path)
    {
        Reads.Add(path);
        return files.TryGetValue(path, out var text) ? Encoding.UTF8.GetBytes(text) : throw new FileNotFoundException($"no such file: {path}", path);
    }
}
