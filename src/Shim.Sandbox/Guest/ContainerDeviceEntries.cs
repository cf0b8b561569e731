using Shim.Abstractions;
using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// <c>CreateContainerRequest.devices</c> for VFIO groups (kata-agent-protocol.md §3.4): type <c>vfio-pci</c> or
/// <c>vfio-pci-gk</c>, id = group number, container_path <c>/dev/vfio/&lt;N&gt;</c>, one
/// <c>&lt;host BDF&gt;=&lt;guest PCI path&gt;</c> option per resolved function. Functions whose guest path is unknown are
/// left out, and a group with none left is left out entirely, as Kata does.
/// </summary>
public static class ContainerDeviceEntries
{
    /// <param name="devices">Every attachment's <see cref="AttachmentRequest.ContainerDevices"/>, in order.</param>
    /// <param name="guestPciPaths">Host BDF (any case) → guest PCI path, e.g. "0000:3b:00.2" → "02/00".</param>
    public static IReadOnlyList<Device> Build(IEnumerable<ContainerVfioDevice> devices, IReadOnlyDictionary<string, string> guestPciPaths)
    {
        var byBdf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (bdf, path) in guestPciPaths) byBdf[bdf] = path;

        var entries = new List<Device>();
        foreach (var device in devices)
        {
            var entry = new Device
            {
                Id = device.IommuGroup.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Type = device.AgentDeviceType,
                ContainerPath = $"/dev/vfio/{device.IommuGroup}",
            };
            foreach (var bdf in device.Bdfs)
            {
                // The agent requires DDDD:BB:DD.F on the host side; an empty guest path would only draw a warning.
                if (byBdf.TryGetValue(bdf, out var path) && path.Length > 0)
                    entry.Options.Add($"{HostBdf(bdf)}={path}");
            }
            if (entry.Options.Count > 0) entries.Add(entry);
        }
        return entries;
    }

    private static string HostBdf(string bdf) =>
        PciAddressText.TryNormalize(bdf, out var canonical)
            ? canonical
            : throw new ArgumentException($"'{bdf}' is not a PCI address (dddd:bb:dd.f); the agent cannot map it to a guest device", nameof(bdf));
}
