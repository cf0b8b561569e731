using System.Text.Json;
using Shim.Abstractions;

namespace Shim.PluginHost.Tests.Fakes;

/// <summary>Builds plugin contexts for unit tests.</summary>
public static class Contexts
{
    public static SandboxDeviceSettings ColdRootPort { get; } = SandboxDeviceSettings.KataDefaults with { ColdPlugVfio = PciPortType.RootPort, PcieRootPorts = 4 };

    public static string Spec(IReadOnlyDictionary<string, string>? annotations = null, IEnumerable<string>? env = null, IEnumerable<string>? devices = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ociVersion"] = "1.1.0",
            ["annotations"] = annotations ?? new Dictionary<string, string>(),
            ["process"] = new { env = env ?? ["PATH=/usr/bin"] },
            ["linux"] = new { devices = (devices ?? []).Select(d => new { path = d, type = "c", major = 241, minor = 0 }) },
        });

    public static PluginContext Create(
        string plugin,
        IPciInventoryView? pci = null,
        ILinkView? links = null,
        IHostFileView? files = null,
        SandboxDeviceSettings? devices = null,
        IReadOnlyDictionary<string, string>? annotations = null,
        IEnumerable<string>? env = null,
        IEnumerable<string>? specDevices = null,
        IReadOnlyDictionary<string, object>? settings = null,
        AttachPhase phase = AttachPhase.Boot)
    {
        var ann = annotations ?? new Dictionary<string, string>();
        return new PluginContext("sandbox-1", phase, Spec(ann, env, specDevices), ann,
            new PluginSettings(settings ?? new Dictionary<string, object>(), $"plugins.settings.{plugin}"),
            devices ?? ColdRootPort, pci ?? new FakePciInventory(), links, files ?? new FakeFileView());
    }

    public static IReadOnlyDictionary<string, object> Table(params (string Key, object Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);
}
