using Microsoft.Extensions.Logging;
using Shim.Abstractions;
using Shim.Agent;
using Shim.Agent.Protocol;
using Shim.Configuration;
using Shim.Containerd.Mounts;
using Shim.Containerd.Tasks;
using Shim.Qemu;
using Shim.Sandbox.Guest;
using Shim.Topology;

namespace Shim.Sandbox.Containers;

/// <summary>
/// The agent half of Create, in Kata's order (kata-agent-protocol.md §3.1): dial and Check, guest PCI paths of the
/// VFIO devices, UpdateInterface per endpoint, UpdateRoutes, AddARPNeighbors, CreateSandbox, GetGuestDetails; then
/// per container: share the rootfs, CreateContainer with the plan's devices.
/// </summary>
public static class GuestSetup
{
    public static readonly TimeSpan PciPathDeadline = TimeSpan.FromSeconds(5);

    /// <summary>Where the agent of this sandbox is reached: [agent.kata] address, else vsock to the guest's CID.</summary>
    public static AgentEndpoint EndpointFor(AgentSettings agent, uint guestCid) =>
        agent.HasExternalAddress ? AgentEndpoint.Parse(agent.Address.Value) : new VsockAgentEndpoint(guestCid);

    /// <summary>Guest PCI path of every placed VFIO function, keyed by host BDF (e.g. "0000:3b:00.2" → "02/00").</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ResolveGuestPathsAsync(QemuProcess qemu, TopologyPlan plan, CancellationToken cancellationToken)
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var placement in plan.ColdPlug.Concat(plan.HotPlug))
        {
            var path = await GuestPciPathResolver.FromQomAsync(qemu.Qmp, placement.Vfio.Id, PciPathDeadline, cancellationToken).ConfigureAwait(false);
            paths[placement.Vfio.Host] = path.ToString();
        }
        return paths;
    }

    /// <summary>Network RPCs then CreateSandbox and GetGuestDetails.</summary>
    public static async Task ConfigureSandboxAsync(
        AgentClient agent, string sandboxId, string configJson, string configPath, KataplugConfiguration config,
        IReadOnlyList<AttachmentRequest> attachments, IReadOnlyDictionary<string, string> guestPaths, ILogger logger, CancellationToken cancellationToken)
    {
        var byAttachment = new Dictionary<AttachmentRequest, string>();
        foreach (var attachment in attachments)
        {
            var path = attachment.PciFunctions.Select(f => guestPaths.GetValueOrDefault(f.Bdf)).FirstOrDefault(p => p is not null);
            if (path is not null) byAttachment[attachment] = path;
        }
        var network = GuestNetworkRequests.Build(attachments, byAttachment);
        foreach (var nic in network.Interfaces)
        {
            await agent.UpdateInterfaceRetryingAsync(nic, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("sandbox {Id}: guest interface {Name} ({Mac}) configured at PCI path '{Path}'", sandboxId, nic.Name, nic.HwAddr, nic.DevicePath);
        }
        if (network.Routes.Count > 0) await agent.UpdateRoutesAsync(network.Routes, cancellationToken).ConfigureAwait(false);
        if (network.Neighbours.Count > 0)
        {
            try
            {
                await agent.AddARPNeighborsAsync(network.Neighbours, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentException ex) when (ex.Code == Shim.Ttrpc.StatusCode.Unimplemented)
            {
                logger.LogInformation("sandbox {Id}: the agent has no AddARPNeighbors; skipped as Kata does", sandboxId);
            }
        }

        var resolvConf = AgentSandboxRequest.ResolvConfHostPath(configJson, configPath) is { } host && File.Exists(host) ? await File.ReadAllTextAsync(host, cancellationToken).ConfigureAwait(false) : null;
        var hostname = HostnameOf(configJson) ?? sandboxId;
        var request = AgentSandboxRequest.Build(sandboxId, hostname, resolvConf, config.Agent.KernelModules.Value);
        await agent.CreateSandboxAsync(request, cancellationToken).ConfigureAwait(false);
        var details = await agent.GetGuestDetailsAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("sandbox {Id}: agent {Version} created the sandbox ({Nics} interfaces, {Routes} routes)",
            sandboxId, details.AgentDetails?.Version ?? "?", network.Interfaces.Count, network.Routes.Count);
    }

    /// <summary>
    /// Shares the container's rootfs (and bind sources) into the sandbox's shared directory and creates the container in
    /// the guest. On failure, what was mounted here is detached again before the exception propagates.
    /// </summary>
    /// <param name="configJson">The bundle's config.json text, as the caller already read it.</param>
    public static async Task<GuestContainer> CreateContainerAsync(
        SandboxGuest guest, SandboxCreateRequest request, string configJson, KataplugConfiguration config,
        IReadOnlyList<AttachmentRequest> attachments, IReadOnlyDictionary<string, string> guestPaths, ILogger logger, CancellationToken cancellationToken)
    {
        var id = request.TaskId;
        var configPath = Path.Combine(request.Bundle, "config.json");
        var converted = AgentContainerSpec.FromOciJson(configJson, configPath, id, GuestPaths.ContainerRootfs(id),
            removeVfioNodes: config.Runtime.VfioMode.Value == Shim.Configuration.VfioMode.GuestKernel);

        var share = guest.State.RootfsShare(id);
        var hostRootfs = await RootfsMounts.PrepareAsync(request, logger, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(share);
        var container = new GuestContainer(id, new GuestProcessRun(id, "", id, request.Io, request.Exits), share);
        try
        {
            MountTable.Bind(hostRootfs, share);
            foreach (var bind in converted.SharedBinds)
            {
                var target = Path.Combine(guest.State.SharedDirectory, bind.GuestShareName);
                if (Directory.Exists(bind.HostSource)) Directory.CreateDirectory(target);
                else File.WriteAllBytes(target, []);
                container.SharedBinds.Add(target);
                MountTable.Bind(bind.HostSource, target, bind.ReadOnly);
            }
            var devices = ContainerDeviceEntries.Build(attachments.SelectMany(a => a.ContainerDevices), guestPaths);
            var create = new CreateContainerRequest
            {
                ContainerId = id,
                ExecId = id,
                OCI = converted.Spec,
                SandboxPidns = converted.SandboxPidns,
            };
            create.Devices.AddRange(devices);
            await guest.Agent.CreateContainerAsync(create, cancellationToken).ConfigureAwait(false);
            guest.Containers[id] = container;
            logger.LogInformation("container {Id}: created in the guest ({Devices} VFIO devices, rootfs {Rootfs})", id, devices.Count, hostRootfs);
            return container;
        }
        catch
        {
            ReleaseMounts(container, logger);
            throw;
        }
    }

    /// <summary>Detaches the container's shares (best effort; a leftover is reported by the state directory's removal).</summary>
    public static void ReleaseMounts(GuestContainer container, ILogger logger)
    {
        foreach (var path in container.SharedBinds.Append(container.RootfsShare))
        {
            var failed = MountTable.DetachAllUnder(path);
            if (failed.Count > 0) logger.LogWarning("container {Id}: could not detach {Mounts}", container.Id, string.Join(", ", failed));
        }
    }

    private static string? HostnameOf(string configJson)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(configJson);
            return doc.RootElement.TryGetProperty("hostname", out var h) && h.ValueKind == System.Text.Json.JsonValueKind.String && h.GetString() is { Length: > 0 } name ? name : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // the container conversion reports malformed JSON with its location
        }
    }
}
