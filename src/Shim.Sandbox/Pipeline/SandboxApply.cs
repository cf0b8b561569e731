using Microsoft.Extensions.Logging;
using Shim.Abstractions;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.HostPci;
using Shim.Qemu;
using Shim.Topology;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// The apply half of Create, run only after the preflight passed: bind every IOMMU group the plan uses (journaled),
/// launch QEMU with the cold-plug topology, record its pid in the bundle, then hot-plug what the plan hot-plugs.
/// Each acquisition is recorded in <see cref="SandboxResources"/> as it happens; on any failure the caller releases it.
/// </summary>
public static class SandboxApply
{
    public static readonly TimeSpan BindDeadline = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan QemuStartDeadline = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan HotplugDeadline = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan VirtiofsStartDeadline = TimeSpan.FromSeconds(5);

    /// <summary>The IOMMU groups of every placed VFIO function, in plan order, each once.</summary>
    public static IReadOnlyList<int> GroupsOf(TopologyPlan plan, HostInventory inventory)
    {
        var groups = new List<int>();
        foreach (var placement in plan.ColdPlug.Concat(plan.HotPlug))
        {
            if (PciAddress.TryParse(placement.Vfio.Host, out var address)
                && inventory.Functions.TryGetValue(address, out var function)
                && function.IommuGroup is { } group && !groups.Contains(group))
            {
                groups.Add(group);
            }
        }
        return groups;
    }

    public static async Task ApplyAsync(
        SandboxResources resources, KataplugConfiguration config, TopologyPlan plan, HostInventory inventory,
        IReadOnlyList<AttachmentRequest> attachments, string bundle, ILogger logger, CancellationToken cancellationToken)
    {
        var id = resources.SandboxId;
        HostNetworkActions.Apply(attachments, inventory, config.Host.SysfsRoot.Value, logger, id);
        using (var bindTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            bindTimeout.CancelAfter(BindDeadline);
            foreach (var group in GroupsOf(plan, inventory))
            {
                // BindAsync rolls its own group back on failure; only fully bound groups are recorded.
                await resources.Binder.BindAsync(group, id, bindTimeout.Token).ConfigureAwait(false);
                resources.AddBoundGroup(group);
                logger.LogInformation("sandbox {Id}: IOMMU group {Group} bound to vfio-pci", id, group);
            }
        }

        if (QemuLaunchMapping.UsesVirtiofs(config))
        {
            // The guest's kataShared: the shared directory the container rootfs binds land in. QEMU connects at start.
            Directory.CreateDirectory(resources.State.SharedDirectory);
            var q = config.Hypervisor;
            resources.SetVirtiofs(await VirtiofsDaemon.StartAsync(q.VirtioFsDaemon.Value, resources.State.VirtiofsSocket, resources.State.SharedDirectory,
                q.VirtioFsCache.Value, VirtiofsStartDeadline, cancellationToken).ConfigureAwait(false));
            logger.LogInformation("sandbox {Id}: virtiofsd pid {Pid} exports {Dir}", id, resources.Virtiofs!.Pid, resources.State.SharedDirectory);
        }
        var spec = QemuLaunchMapping.ToLaunchSpec(config, plan, resources.State, QemuLaunchMapping.GuestCidFor(id));
        var qemu = await QemuProcess.StartAsync(spec, QemuStartDeadline, cancellationToken).ConfigureAwait(false);
        resources.SetQemu(qemu, new PciHotplug(qemu.Qmp, HotplugTopology.From(plan.Topology)));
        // Right after start: if this daemon dies from here on, `shim delete` finds and kills QEMU.
        BundleState.RecordQemu(bundle, id, qemu.Pid);
        logger.LogInformation("sandbox {Id}: QEMU pid {Pid} up: {CommandLine}", id, qemu.Pid, string.Join(' ', qemu.CommandLine));

        foreach (var placement in plan.HotPlug)
        {
            var v = placement.Vfio;
            var device = QemuDevice.VfioPci(v.Id, v.Host, v.Bus, "0x" + v.Addr.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            // Recorded before sending: a device_add cut off by its deadline may still have reached QEMU.
            resources.AddHotPlugged(v.Id);
            await resources.Hotplug!.AddAsync(device, HotplugDeadline, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("sandbox {Id}: hot-plugged {Device} on {Bus}", id, v.Id, v.Bus);
        }
    }
}
