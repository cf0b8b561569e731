using System.Runtime.Loader;
using Shim.Abstractions;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Tests.Fakes;

namespace Shim.PluginHost.Tests.Loading;

public sealed class PluginLoaderTests : IDisposable
{
    private readonly PluginsDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private PluginCatalog Load(PluginOwnerPolicy policy = PluginOwnerPolicy.RootOrCurrentUser) =>
        new PluginLoader(new PluginLoaderOptions(_dir.Root) { OwnerPolicy = policy }).LoadAll();

    [Fact]
    public async Task A_good_plugin_loads_into_its_own_context_and_shares_the_contract()
    {
        _dir.Add("GoodPlugin");

        var catalog = Load();

        var entry = catalog.Entries.ShouldHaveSingleItem();
        entry.Status.ShouldBe(PluginStatus.Loaded);
        entry.Name.ShouldBe("good");
        entry.Version.ShouldBe("0.1.0");
        entry.ContractVersion.ShouldBe(PluginContract.VersionText);
        entry.Kinds.ShouldBe([EndpointKind.Vfio]);
        var loaded = catalog.Loaded["good"];
        loaded.LoadContext.ShouldNotBe(AssemblyLoadContext.Default);
        AssemblyLoadContext.GetLoadContext(loaded.Plugin.GetType().Assembly).ShouldBe(loaded.LoadContext);
        // The contract type the plugin implements is the host's own.
        loaded.Plugin.GetType().GetInterfaces().ShouldContain(typeof(IEndpointPlugin));
        var result = await loaded.Plugin.DiscoverAsync(Contexts.Create("good"), CancellationToken.None);
        result.Candidates.ShouldHaveSingleItem().Id.ShouldBe("good-0");
    }

    [Fact]
    public void Collectible_loading_puts_each_plugin_in_an_unloadable_context()
    {
        _dir.Add("GoodPlugin");
        _dir.Add("IncompatiblePlugin");

        var catalog = new PluginLoader(new PluginLoaderOptions(_dir.Root) { Collectible = true }).LoadAll();

        catalog.Loaded["good"].LoadContext.IsCollectible.ShouldBeTrue();
        catalog.Refused.ShouldHaveSingleItem().DirectoryName.ShouldBe("IncompatiblePlugin");
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_refused_by_name_and_the_others_still_load()
    {
        _dir.Add("GoodPlugin");
        var broken = Directory.CreateDirectory(Path.Combine(_dir.Root, "Broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "Broken.dll"), "this is not a PE file");

        var catalog = Load();

        var refused = catalog.Refused.ShouldHaveSingleItem();
        refused.DirectoryName.ShouldBe("Broken");
        refused.Refusal.ShouldBe(PluginRefusal.LoadFailed);
        refused.Reason!.ShouldContain(Path.Combine(broken, "Broken.dll"));
        catalog.Loaded.Keys.ShouldBe(["good"]);
    }

    [Fact]
    public void A_directory_without_an_entry_assembly_is_refused_with_the_expected_names()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Root, "Empty"));

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.NoEntryAssembly);
        refused.Reason!.ShouldContain("Empty.dll");
        refused.Reason!.ShouldContain("plugin.json");
    }

    [Fact]
    public void A_manifest_names_an_entry_assembly_with_another_name()
    {
        var dir = _dir.Add("GoodPlugin", @as: "vendor-plugin", renameFiles: false);
        File.WriteAllText(Path.Combine(dir, "plugin.json"), """{"assembly": "GoodPlugin.dll"}""");
        File.SetUnixFileMode(Path.Combine(dir, "plugin.json"), (UnixFileMode)0b110_100_100);

        var catalog = Load();

        catalog.Loaded.Keys.ShouldBe(["good"]);
        catalog.Entries.ShouldHaveSingleItem().AssemblyPath!.ShouldEndWith("GoodPlugin.dll");
    }

    [Fact]
    public void A_manifest_that_points_outside_its_directory_is_refused()
    {
        var dir = _dir.Add("GoodPlugin");
        File.WriteAllText(Path.Combine(dir, "plugin.json"), """{"assembly": "../Other/GoodPlugin.dll"}""");
        File.SetUnixFileMode(Path.Combine(dir, "plugin.json"), (UnixFileMode)0b110_100_100);

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.BadManifest);
        refused.Reason!.ShouldContain("plain file name");
    }

    [Fact]
    public async Task Two_plugins_load_two_versions_of_the_same_library_side_by_side()
    {
        _dir.Add("LibV1Plugin");
        _dir.Add("LibV2Plugin");

        var catalog = Load();

        catalog.Refused.ShouldBeEmpty();
        var v1 = catalog.Loaded["lib-v1"];
        var v2 = catalog.Loaded["lib-v2"];
        var ctx = Contexts.Create("lib");
        (await v1.Plugin.DiscoverAsync(ctx, CancellationToken.None)).Candidates.Single().Id.ShouldBe("lib-1.0.0.0");
        (await v2.Plugin.DiscoverAsync(ctx, CancellationToken.None)).Candidates.Single().Id.ShouldBe("lib-2.0.0.0");
        var lib1 = v1.LoadContext.Assemblies.Single(a => a.GetName().Name == "FixtureLib");
        var lib2 = v2.LoadContext.Assemblies.Single(a => a.GetName().Name == "FixtureLib");
        lib1.GetName().Version.ShouldBe(new Version(1, 0, 0, 0));
        lib2.GetName().Version.ShouldBe(new Version(2, 0, 0, 0));
        lib1.Location.ShouldStartWith(Path.Combine(_dir.Root, "LibV1Plugin"));
        lib2.Location.ShouldStartWith(Path.Combine(_dir.Root, "LibV2Plugin"));
    }

    [Fact]
    public void An_incompatible_contract_version_is_refused_naming_both_versions()
    {
        _dir.Add("IncompatiblePlugin");

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.IncompatibleContract);
        refused.ContractVersion.ShouldBe("99.0");
        refused.Reason!.ShouldContain("plugin contract 99.0");
        refused.Reason!.ShouldContain($"contract {PluginContract.VersionText}");
        refused.Reason!.ShouldContain("IncompatiblePlugin.dll");
    }

    [Theory]
    [InlineData("1.0", true)]
    [InlineData("1.1", false)]
    [InlineData("0.9", false)]
    [InlineData("2.0", false)]
    public void Contract_compatibility_needs_the_same_major_and_no_newer_minor(string version, bool compatible) =>
        PluginContract.IsCompatible(Version.Parse(version)).ShouldBe(compatible);

    [Fact]
    public void A_group_writable_plugin_file_is_refused_with_the_chmod_fix()
    {
        var dir = _dir.Add("GoodPlugin");
        var dll = Path.Combine(dir, "GoodPlugin.dll");
        File.SetUnixFileMode(dll, (UnixFileMode)0b110_110_100); // 0664

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.UnsafeFiles);
        refused.Reason!.ShouldContain(dll);
        refused.Reason!.ShouldContain("0664");
        refused.Reason!.ShouldContain("chmod go-w");
    }

    [Fact]
    public void An_unsafe_file_deep_inside_a_plugin_directory_is_found()
    {
        var dir = _dir.Add("GoodPlugin");
        var native = Directory.CreateDirectory(Path.Combine(dir, "runtimes", "linux-x64", "native")).FullName;
        foreach (var d in new[] { Path.Combine(dir, "runtimes"), Path.Combine(dir, "runtimes", "linux-x64"), native })
            File.SetUnixFileMode(d, (UnixFileMode)0b111_101_101);
        var lib = Path.Combine(native, "libhelper.so");
        File.WriteAllText(lib, "");
        File.SetUnixFileMode(lib, (UnixFileMode)0b110_110_110); // 0666

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Reason!.ShouldContain(lib);
        refused.Reason!.ShouldContain("0666");
    }

    [Fact]
    public void A_world_writable_plugin_directory_is_refused()
    {
        var dir = _dir.Add("GoodPlugin");
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.UnsafeFiles);
        refused.Reason!.ShouldContain("0777");
    }

    [Fact]
    public void A_file_owned_by_another_user_is_refused_unless_the_test_only_policy_relaxes_it()
    {
        var dir = _dir.Add("GoodPlugin");
        var deps = Path.Combine(dir, "GoodPlugin.deps.json");
        PluginsDirectory.Chown(deps, 65534, 65534); // nobody

        var strict = Load();
        var relaxed = Load(PluginOwnerPolicy.AnyOwnerTestsOnly);

        var refused = strict.Refused.ShouldHaveSingleItem();
        refused.Refusal.ShouldBe(PluginRefusal.UnsafeFiles);
        refused.Reason!.ShouldContain("owned by uid 65534");
        refused.Reason!.ShouldContain(deps);
        relaxed.Loaded.Keys.ShouldBe(["good"]);
        new PluginLoaderOptions(_dir.Root).OwnerPolicy.ShouldBe(PluginOwnerPolicy.RootOrCurrentUser);
    }

    [Fact]
    public void A_plugin_directory_symlinked_from_outside_is_refused()
    {
        var real = _dir.Add("GoodPlugin", under: _dir.Outside);
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "GoodPlugin"), real);

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.UnsafeFiles);
        refused.Reason!.ShouldContain("outside the plugins directory");
        refused.Reason!.ShouldContain(real);
    }

    [Fact]
    public void A_dependency_symlinked_to_a_file_outside_is_refused()
    {
        var dir = _dir.Add("LibV1Plugin");
        var lib = Path.Combine(dir, "FixtureLib.dll");
        var outsideCopy = Path.Combine(_dir.Outside, "FixtureLib.dll");
        File.Move(lib, outsideCopy);
        File.CreateSymbolicLink(lib, outsideCopy);

        var refused = Load().Refused.ShouldHaveSingleItem();

        refused.Refusal.ShouldBe(PluginRefusal.UnsafeFiles);
        refused.Reason!.ShouldContain(lib);
        refused.Reason!.ShouldContain(outsideCopy);
    }

    [Fact]
    public void A_symlink_that_stays_inside_the_plugins_directory_is_accepted()
    {
        var real = _dir.Add("GoodPlugin", under: Directory.CreateDirectory(Path.Combine(_dir.Root, ".store")).FullName);
        File.SetUnixFileMode(Path.Combine(_dir.Root, ".store"), (UnixFileMode)0b111_101_101);
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "GoodPlugin"), real);

        var catalog = Load();

        catalog.Loaded.Keys.ShouldBe(["good"]);
    }

    [Fact]
    public void A_symlink_loop_inside_a_plugin_directory_does_not_hang_or_throw()
    {
        var dir = _dir.Add("GoodPlugin");
        Directory.CreateSymbolicLink(Path.Combine(dir, "loop"), dir);

        var catalog = Load();

        // The loop stays inside the plugins directory (the walk does not follow directory links), so it is harmless.
        catalog.Entries.ShouldHaveSingleItem().Status.ShouldBe(PluginStatus.Loaded);
    }

    [Fact]
    public void The_same_plugin_name_in_two_directories_loads_once()
    {
        _dir.Add("GoodPlugin");
        _dir.Add("GoodPlugin", @as: "GoodPluginCopy");

        var catalog = Load();

        catalog.Loaded.Keys.ShouldBe(["good"]);
        var refused = catalog.Refused.ShouldHaveSingleItem();
        refused.DirectoryName.ShouldBe("GoodPluginCopy");
        refused.Refusal.ShouldBe(PluginRefusal.DuplicateName);
    }

    [Fact]
    public void A_missing_plugins_directory_is_reported_not_thrown()
    {
        var catalog = new PluginLoader(new PluginLoaderOptions(Path.Combine(_dir.Root, "nope"))).LoadAll();

        catalog.Entries.ShouldBeEmpty();
        catalog.DirectoryProblem!.ShouldContain("does not exist");
        catalog.WhyUnavailable("physical-vf")!.ShouldContain("does not exist");
    }

    [Fact]
    public void A_group_writable_plugins_directory_refuses_everything()
    {
        _dir.Add("GoodPlugin");
        File.SetUnixFileMode(_dir.Root, (UnixFileMode)0b111_111_101);

        var catalog = Load();

        catalog.Loaded.ShouldBeEmpty();
        catalog.DirectoryProblem!.ShouldContain("chmod go-w");
    }

    [Fact]
    public void The_shipped_plugins_load_with_their_names_and_kinds()
    {
        _dir.Add("PhysicalVf");
        _dir.Add("Vfio");
        _dir.Add("VhostUser");

        var catalog = Load();

        catalog.Refused.ShouldBeEmpty();
        catalog.Loaded.Keys.Order().ShouldBe(["physical-vf", "vfio", "vhost-user"]);
        catalog.Loaded["physical-vf"].Entry.Kinds.ShouldBe([EndpointKind.Physical]);
        catalog.Loaded["vhost-user"].Entry.Kinds.ShouldBe([EndpointKind.VhostUser]);
    }

    [Fact]
    public void The_catalog_json_lists_loaded_and_refused_plugins_with_reasons()
    {
        _dir.Add("GoodPlugin");
        _dir.Add("IncompatiblePlugin");

        var json = System.Text.Json.JsonDocument.Parse(Load().ToJson()).RootElement;

        json.GetProperty("plugins_directory").GetString().ShouldBe(_dir.Root);
        var plugins = json.GetProperty("plugins").EnumerateArray().ToList();
        plugins.Count.ShouldBe(2);
        plugins[0].GetProperty("status").GetString().ShouldBe("loaded");
        plugins[0].GetProperty("name").GetString().ShouldBe("good");
        plugins[1].GetProperty("status").GetString().ShouldBe("refused");
        plugins[1].GetProperty("refusal").GetString().ShouldBe("incompatible-contract");
        plugins[1].GetProperty("reason").GetString()!.ShouldContain("99.0");
    }

    [Fact]
    public void Unavailable_plugins_are_explained_by_their_directory_refusal()
    {
        _dir.Add("IncompatiblePlugin", @as: "PhysicalVf");

        var catalog = Load();

        catalog.WhyUnavailable("physical-vf")!.ShouldContain("99.0");
        catalog.WhyUnavailable("vfio")!.ShouldContain("no loaded plugin is named vfio");
    }

    [Fact]
    public void The_catalog_table_shows_each_directory_and_the_refusal_reason()
    {
        _dir.Add("GoodPlugin");
        _dir.Add("IncompatiblePlugin");

        var lines = PluginCatalogTable.Format(Load()).Split('\n');

        lines[0].ShouldBe($"plugins directory: {_dir.Root}");
        lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["DIRECTORY", "NAME", "STATUS", "VERSION", "CONTRACT", "KINDS"]);
        lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["GoodPlugin", "good", "loaded", "0.1.0", "1.0", "vfio"]);
        lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["IncompatiblePlugin", "-", "refused", "-", "99.0", "-"]);
        lines[4].ShouldStartWith("    IncompatibleContract: ");
    }
}
