using System.Text.Json.Nodes;
using Shim.Qmp;

namespace Shim.Qemu;

/// <summary>Finds a device's <see cref="GuestPciPath"/> by its qdev id.</summary>
public static class GuestPciPathResolver
{
    private const int MaxDepth = 10;

    /// <summary>
    /// Walks <c>qom-get addr</c> / <c>parent_bus</c> up to <c>pcie.0</c> (kata-reference §8.1). Works in any VM state,
    /// including paused at <c>-S</c>, unlike <c>query-pci</c>.
    /// </summary>
    public static async Task<GuestPciPath> FromQomAsync(QmpClient qmp, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var slots = new List<int>();
        var path = $"/machine/peripheral/{id}";
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            var devfn = (await QomGet(qmp, path, "addr", timeout, cancellationToken).ConfigureAwait(false))?.GetValue<int>() ?? -1;
            if (devfn < 0) throw new QemuHotplugException(id, "resolve guest PCI path", $"'{path}' has no PCI address (addr={devfn}); is '{id}' a PCI device?");
            slots.Add(devfn >> 3);
            var bus = (await QomGet(qmp, path, "parent_bus", timeout, cancellationToken).ConfigureAwait(false))?.GetValue<string>() ?? "";
            if (bus.EndsWith("/pcie.0", StringComparison.Ordinal))
            {
                slots.Reverse();
                return new GuestPciPath(slots);
            }
            // "/machine/peripheral/rp1/rp1" names the bus; its parent object is the bridge or port.
            var cut = bus.LastIndexOf('/');
            if (cut <= 0) throw new QemuHotplugException(id, "resolve guest PCI path", $"unexpected parent_bus '{bus}' for '{path}'.");
            path = bus[..cut];
        }
        throw new QemuHotplugException(id, "resolve guest PCI path", $"more than {MaxDepth} bridges above '{id}'; not a supported topology.");
    }

    /// <summary>
    /// Finds <paramref name="id"/> in <c>query-pci</c> (nested <c>pci_bridge.devices</c>). Only meaningful once firmware
    /// has enumerated the buses (≈1.5 s after <c>cont</c>); returns null when the device is not (yet) listed.
    /// </summary>
    public static async Task<GuestPciPath?> FromQueryPciAsync(QmpClient qmp, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = await qmp.ExecuteAsync("query-pci", null, timeout, cancellationToken).ConfigureAwait(false);
        foreach (var bus in reply as JsonArray ?? [])
        {
            if ((bus?["bus"]?.GetValue<int>() ?? -1) != 0) continue;
            if (Find(bus?["devices"] as JsonArray, id, []) is { } found) return new GuestPciPath(found);
        }
        return null;
    }

    /// <summary>
    /// Polls <c>query-pci</c> until firmware has enumerated the buses and <paramref name="id"/> is listed (after
    /// <c>cont</c>, ≈1.5 s under TCG); null at the deadline.
    /// </summary>
    public static async Task<GuestPciPath?> WaitForQueryPciAsync(QmpClient qmp, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - sw.Elapsed;
            if (left <= TimeSpan.Zero) return null;
            if (await FromQueryPciAsync(qmp, id, left, cancellationToken).ConfigureAwait(false) is { } found) return found;
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<int>? Find(JsonArray? devices, string id, List<int> prefix)
    {
        foreach (var d in devices ?? [])
        {
            if (d is not JsonObject dev) continue;
            var here = new List<int>(prefix) { dev["slot"]?.GetValue<int>() ?? 0 };
            if (dev["qdev_id"]?.GetValue<string>() == id) return here;
            if (Find(dev["pci_bridge"]?["devices"] as JsonArray, id, here) is { } found) return found;
        }
        return null;
    }

    private static Task<JsonNode?> QomGet(QmpClient qmp, string path, string property, TimeSpan timeout, CancellationToken ct) =>
        qmp.ExecuteAsync("qom-get", new JsonObject { ["path"] = path, ["property"] = property }, timeout, ct);
}
