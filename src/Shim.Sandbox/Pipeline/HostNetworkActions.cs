using Microsoft.Extensions.Logging;
using Shim.Abstractions;
using Shim.HostPci;
using Shim.PluginHost.Netlink;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// Host-side network actions plugins ask for, applied after validation and before any rebind: today the VF's
/// administrative MAC on its PF (`ip link set PF vf N mac M`), so the guest driver comes up with the pod's MAC.
/// </summary>
public static class HostNetworkActions
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static void Apply(IReadOnlyList<AttachmentRequest> attachments, HostInventory inventory, string sysfsRoot, ILogger logger, string sandboxId)
    {
        foreach (var action in attachments.SelectMany(a => a.HostActions).OfType<SetVfAdministrativeMac>())
        {
            // An emulated sysfs tree has no real PF netdev behind it: there is nothing on the host to configure.
            if (sysfsRoot != "/")
            {
                logger.LogInformation("sandbox {Id}: sysfs root {Root} is not the host's; not setting VF {Vf} MAC {Mac} on its PF", sandboxId, sysfsRoot, action.VfBdf, action.Mac);
                continue;
            }
            if (!PciAddress.TryParse(action.PfBdf, out var pf) || !inventory.Functions.TryGetValue(pf, out var pfFunction)
                || pfFunction.NetInterfaces.Count == 0 || action.VfIndex is not { } vfIndex)
            {
                throw new InvalidOperationException(
                    $"cannot set the administrative MAC {action.Mac} of VF {action.VfBdf}: its PF {action.PfBdf} has no network interface in the host " +
                    "namespace (or the VF index is unknown); bring the PF's driver up, or set set_admin_mac = false for the physical-vf plugin");
            }
            var pfInterface = pfFunction.NetInterfaces[0].Name;
            VfAdministrativeMacSetter.Set(pfInterface, vfIndex, action.Mac, Deadline);
            logger.LogInformation("sandbox {Id}: set VF {Index} of {Pf} ({Vf}) MAC to {Mac}", sandboxId, vfIndex, pfInterface, action.VfBdf, action.Mac);
        }
    }
}
