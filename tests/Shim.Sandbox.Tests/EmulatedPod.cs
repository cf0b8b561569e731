using Shim.Configuration;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Preflight;
using Shim.SysfsEmulator;

namespace Shim.Sandbox.Tests;

/// <summary>An emulated host with an SR-IOV NIC (two VFs), a GPU with its audio function, and a NIC the host uses.</summary>
public sealed class EmulatedPod : IDisposable
{
    public EmulatedPod()
    {
        Root = Path.Combine(Path.GetTempPath(), "kataplug-sandbox-" + Guid.NewGuid().ToString("N"));
        Host = new EmulatedHostBuilder()
            .HostBridge("0000:00:00.0")
            .SriovNic("0000:3b:00.0", totalVfs: 4, numVfs: 2, ifName: "ens1f0", up: true)
            .Gpu("0000:65:00.0")
            .Nic("0000:05:00.0", driver: "e1000e", ifName: "eno1", up: true)
            .Build(Root);
        var inventory = PciInventory.Read(Host.Sysfs);
        Vfs = inventory.Functions.Values.Where(f => f.IsVirtualFunction).Select(f => f.Address.ToString()).Order(StringComparer.Ordinal).ToArray();
    }

    public string Root { get; }
    public EmulatedHost Host { get; }
    public IReadOnlyList<string> Vfs { get; }

    public static string PluginsDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    public static KataplugConfiguration Config(string qemuTable, string extra = "") =>
        ConfigurationLoader.Load(System.Text.Encoding.UTF8.GetBytes(
            $"[hypervisor.qemu]\npath = \"/usr/bin/qemu-system-x86_64\"\nmachine_type = \"q35\"\n{qemuTable}\n" +
            $"[plugins]\nenabled = [\"physical-vf\", \"vfio\", \"vhost-user\"]\ndirectory = \"{PluginsDirectory}\"\n{extra}"),
            "test.toml");

    public Task<PreflightResult> PreflightAsync(KataplugConfiguration config, string? netns = null, string ociSpec = "{}", params string[] devices)
    {
        var catalog = new PluginLoader(new PluginLoaderOptions(PluginsDirectory) { OwnerPolicy = PluginOwnerPolicy.AnyOwnerTestsOnly }).LoadAll();
        var request = new PreflightRequest(config, Host.Sysfs, "sandbox-1", netns, ociSpec, new Dictionary<string, string>(),
            devices.Select(PciAddress.Parse).ToArray(), catalog);
        return SandboxPreflight.RunAsync(request, TimeSpan.FromSeconds(20), CancellationToken.None);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
