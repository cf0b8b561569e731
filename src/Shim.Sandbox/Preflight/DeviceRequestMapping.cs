using Shim.Abstractions;
using Shim.HostPci;
using Shim.Topology;
using TopologyPlugMode = Shim.Topology.PlugMode;

namespace Shim.Sandbox.Preflight;

/// <summary>Turns a plugin's attachment into the planner's device request, expanding each function to its whole IOMMU group.</summary>
internal static class DeviceRequestMapping
{
    public static DeviceRequest? Map(AttachmentRequest attachment, HostInventory inventory, SysfsRoot root, List<string> problems)
    {
        var name = attachment.GuestInterface?.Name
            ?? (attachment.PluginName == SandboxPreflight.OperatorPluginName ? "device" : attachment.CandidateId);
        if (attachment.VhostUser is { } vhost)
        {
            return DeviceRequest.VhostUser(attachment.PluginName, name, vhost.SocketPath, TopologyPlugMode.Cold);
        }

        if (attachment.PciFunctions.Count == 0) return null;
        var functions = new List<Shim.Topology.PciFunction>();
        var seen = new HashSet<PciAddress>();
        var mode = TopologyPlugMode.Auto;
        foreach (var requested in attachment.PciFunctions)
        {
            mode = requested.Mode switch
            {
                Shim.Abstractions.PlugMode.Cold => TopologyPlugMode.Cold,
                Shim.Abstractions.PlugMode.Hot => TopologyPlugMode.Hot,
                _ => mode,
            };
            if (!PciAddress.TryParse(requested.Bdf, out var address) || !inventory.Functions.TryGetValue(address, out var function))
            {
                problems.Add($"{name} ({requested.Bdf}): no such PCI function under {root.PciDevicesDir} — check the address with `kataplug inventory`");
                continue;
            }

            // The unit of assignment is the IOMMU group: every non-bridge member goes with the device.
            var members = function.IommuGroup is { } g && inventory.Group(g) is { } group
                ? group.Assignable
                : [function];
            foreach (var m in members)
            {
                if (seen.Add(m.Address)) functions.Add(ToTopology(m));
            }
        }

        return functions.Count == 0 ? null : DeviceRequest.Vfio(attachment.PluginName, name, mode, functions.ToArray());
    }

    private static Shim.Topology.PciFunction ToTopology(Shim.HostPci.PciFunction f) =>
        new(f.Address.ToString(), f.Vendor, f.DeviceId, f.Class.Value, f.IsPcie, f.IommuGroup ?? -1);
}
