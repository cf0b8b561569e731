using System.Security.Cryptography;
using System.Text;

namespace Shim.Sandbox.Tests;

/// <summary>Every file's bytes and every link's target under a root: two equal snapshots mean nothing was written.</summary>
public static class TreeSnapshot
{
    public static IReadOnlyDictionary<string, string> Take(string root)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(root, root, map);
        return map;
    }

    // Sysfs is full of directory links that lead back up the tree: record links, never follow them.
    private static void Walk(string root, string dir, SortedDictionary<string, string> map)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(dir))
        {
            var rel = Path.GetRelativePath(root, path);
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target) map[rel] = "-> " + target;
            else if (Directory.Exists(path))
            {
                map[rel] = "dir";
                Walk(root, path, map);
            }
            else map[rel] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + " " + info.LastWriteTimeUtc.Ticks;
        }
    }

    public static string Diff(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        var sb = new StringBuilder();
        foreach (var k in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(k, out var b);
            after.TryGetValue(k, out var a);
            if (a != b) sb.AppendLine($"{k}: {b ?? "(absent)"} → {a ?? "(absent)"}");
        }
        return sb.ToString();
    }
}
