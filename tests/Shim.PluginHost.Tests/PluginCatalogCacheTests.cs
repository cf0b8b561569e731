using Shim.PluginHost.Loading;

namespace Shim.PluginHost.Tests;

/// <summary>The daemon loads its plugins once (warm-up) and Create reuses them, unless the directory changed on disk.</summary>
public sealed class PluginCatalogCacheTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("kp-cache-").FullName;

    [Fact]
    public void TheSameDirectory_IsLoadedOnce_AndTheCatalogReused()
    {
        Directory.CreateDirectory(Path.Combine(root, "Empty")); // a plugin directory without an assembly: refused, still catalogued
        var cache = new PluginCatalogCache();

        var first = cache.Get(root, PluginOwnerPolicy.AnyOwnerTestsOnly);
        var second = cache.Get(root, PluginOwnerPolicy.AnyOwnerTestsOnly);

        second.ShouldBeSameAs(first);
        cache.Loads.ShouldBe(1);
        first.Entries.ShouldHaveSingleItem().Status.ShouldBe(PluginStatus.Refused);
    }

    [Fact]
    public void AChangeOnDisk_IsLoadedAfresh()
    {
        Directory.CreateDirectory(Path.Combine(root, "A"));
        var cache = new PluginCatalogCache();
        var before = cache.Get(root, PluginOwnerPolicy.AnyOwnerTestsOnly);

        Directory.CreateDirectory(Path.Combine(root, "B"));
        var after = cache.Get(root, PluginOwnerPolicy.AnyOwnerTestsOnly);

        after.ShouldNotBeSameAs(before);
        after.Entries.Select(e => e.DirectoryName).ShouldBe(["A", "B"]);
        cache.Loads.ShouldBe(2);
    }

    [Fact]
    public void ConcurrentCallers_ShareOneLoad()
    {
        Directory.CreateDirectory(Path.Combine(root, "A"));
        var cache = new PluginCatalogCache();

        var catalogs = Enumerable.Range(0, 8).AsParallel().Select(_ => cache.Get(root, PluginOwnerPolicy.AnyOwnerTestsOnly)).ToList();

        catalogs.Distinct().ShouldHaveSingleItem();
        cache.Loads.ShouldBe(1);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
