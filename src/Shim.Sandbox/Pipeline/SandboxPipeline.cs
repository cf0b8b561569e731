using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Tasks;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Qemu;
using Shim.Agent;
using Shim.Sandbox.Containers;
using Shim.Sandbox.Guest;
using Shim.Sandbox.Preflight;
using Shim.Ttrpc;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// The shim's sandbox pipeline. Create: configuration → discover and plan (plugins, topology) → every preflight
/// check, all without a side effect; then bind (journaled) → QEMU with the cold-plug topology → QMP → hot-plug.
/// Any failure releases what was acquired, in reverse, and the error text reaches ctr and the kubelet as written.
/// Then the guest: QEMU continues, the agent is dialled, the network and the sandbox are configured in the guest
/// and the container is created there (<see cref="GuestSetup"/>); every later Task RPC goes to the agent or QMP.
/// Delete: remove the container, DestroySandbox, hot-unplug with deadlines, stop QEMU, restore the devices.
/// </summary>
public sealed partial class SandboxPipeline(IConfigurationFileSystem files, Func<string, string?> environment, ILogger logger, PluginOwnerPolicy pluginOwnerPolicy)
    : ISandboxPipeline
{
    public static readonly TimeSpan PreflightDeadline = TimeSpan.FromSeconds(20);

    public static readonly TimeSpan QmpCommandDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How long a hot-added vCPU may take to be acknowledged by the guest's ACPI (_OST) before it is reported not onlined.</summary>
    public static readonly TimeSpan VcpuOnlineDeadline = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, SandboxResources> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskContainer> _containers = new(StringComparer.Ordinal);

    /// <summary>A task's container in the guest, with the sandbox that runs it and the Create request it came from.</summary>
    private sealed record TaskContainer(SandboxResources Sandbox, GuestContainer Container, SandboxCreateRequest Request);

    public SandboxPipeline(ILogger logger)
        : this(PhysicalConfigurationFileSystem.Instance, Environment.GetEnvironmentVariable, logger, PluginOwnerPolicy.RootOrCurrentUser)
    {
    }

    /// <summary>The daemon's warm-up, told to stand down when a Create arrives: from then on it would only take CPU
    /// from the Create it prepared for.</summary>
    public PipelineWarmupRun? Warmup { get; init; }

    public async Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        Warmup?.StandDown();
        var clock = Stopwatch.StartNew();
        var loaded = ConfigurationSelector.Load(
            new ConfigSelectionInputs(
                ConfigConsumer.Shim,
                RuntimeOptionsConfigPath: request.RuntimeConfigPath,
                EnvironmentConfigFile: environment(ConfigFileResolver.EnvironmentVariable),
                Annotations: request.Spec.Annotations),
            files);
        var config = loaded.Configuration;
        // config.json is read once per Create: preflight, the agent's sandbox and the container all use this text.
        var oci = OciSandboxSpec.Load(request.Bundle);
        logger.LogInformation("create {Id}: configuration loaded from {Source} ({Ms:0.0} ms)", request.TaskId, loaded.Source.ToString(), clock.Elapsed.TotalMilliseconds);
        if (!request.IsSandbox)
        {
            // A pod container: created in its sandbox's guest; the sandbox owns every device.
            if (!_sandboxes.TryGetValue(request.SandboxId, out var pod) || pod.Guest is not { } podGuest || pod.Qemu is not { } podQemu)
            {
                throw new TtrpcException(StatusCode.FailedPrecondition, $"container {request.TaskId}: sandbox {request.SandboxId} is not running in this shim; create the sandbox first");
            }
            var container = await GuestSetup.CreateContainerAsync(podGuest, request, oci.Json, config, [], new Dictionary<string, string>(), logger, cancellationToken).ConfigureAwait(false);
            _containers[request.TaskId] = new TaskContainer(pod, container, request);
            return new SandboxCreated((uint)podQemu.Pid);
        }

        var id = request.SandboxId;
        var result = await PreflightAsync(request, config, oci, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var lines = result.ProblemLines.ToArray();
            logger.LogWarning("create {Id}: preflight refused after {Ms:0.0} ms, nothing changed on the host: {Problems}", id, clock.Elapsed.TotalMilliseconds, string.Join(" | ", lines));
            throw new TtrpcException(StatusCode.FailedPrecondition, PipelineMessages.PreflightRefused(id, lines));
        }
        var plan = result.Topology.Plan!;
        logger.LogInformation("create {Id}: preflight passed after {Ms:0.0} ms ({Cold} cold, {Hot} hot)", id, clock.Elapsed.TotalMilliseconds, plan.ColdPlug.Count, plan.HotPlug.Count);

        var host = config.Host;
        var hostPciState = ShimStateLayout.HostPciStateDirectory(host);
        // Before the first host write: where delete must look for this sandbox's journal and QEMU.
        new BundleState(id, hostPciState, host.SysfsRoot.Value, ConfigPath: loaded.Source.Path).Save(request.Bundle);
        var state = SandboxStateDirectory.For(host.StateDir.Value, id);
        state.Create();
        File.WriteAllText(state.PortsFile, plan.Allocation.ToJson());

        var binder = GroupBinder.Create(new SysfsRoot(host.SysfsRoot.Value), hostPciState, new BindingOptions { AllowHostDevices = host.AllowHostDevices.Value });
        var resources = new SandboxResources(id, binder, state, logger);
        try
        {
            await SandboxApply.ApplyAsync(resources, config, plan, result.Inventory, result.Attachments, request.Bundle, logger, cancellationToken).ConfigureAwait(false);
            var container = await StartGuestAsync(resources, request, oci, config, plan, result.Attachments, clock, cancellationToken).ConfigureAwait(false);
            _containers[request.TaskId] = new TaskContainer(resources, container, request);
        }
        catch (Exception ex)
        {
            var failures = await resources.ReleaseAsync().ConfigureAwait(false);
            state.Remove();
            var message = PipelineMessages.ApplyFailed(id, ex, failures);
            logger.LogError("create {Id}: failed after {Ms:0.0} ms: {Error}", id, clock.Elapsed.TotalMilliseconds, message);
            if (ex is QemuStartException q)
            {
                logger.LogError("create {Id}: the refused QEMU command line was: {CommandLine}", id, string.Join(' ', q.CommandLine));
            }
            // Internal: containerd passes the text on as it is (only precondition/argument codes get a suffix).
            throw new TtrpcException(ex is OperationCanceledException ? StatusCode.Cancelled : StatusCode.Internal, message, ex);
        }
        _sandboxes[request.TaskId] = resources;
        logger.LogInformation("create {Id}: sandbox up after {Ms:0.0} ms (QEMU pid {Pid})", id, clock.Elapsed.TotalMilliseconds, resources.Qemu!.Pid);
        return new SandboxCreated((uint)resources.Qemu.Pid);
    }

    private async Task<PreflightResult> PreflightAsync(SandboxCreateRequest request, KataplugConfiguration config, OciSandboxSpec oci, CancellationToken cancellationToken)
    {
        var pluginsDir = config.Plugins.Directory.Value;
        PluginCatalog? catalog = null;
        if (config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir))
        {
            var loading = Stopwatch.StartNew();
            // Cached per daemon (the warm-up loaded it already); reloaded only when the directory changes.
            catalog = PluginCatalogCache.Shared.Get(pluginsDir, pluginOwnerPolicy);
            logger.LogDebug("create {Id}: {Count} plugins loaded from {Dir} in {Ms:0.0} ms", request.TaskId, catalog.Loaded.Count, pluginsDir, loading.Elapsed.TotalMilliseconds);
        }
        else if (config.Plugins.Enabled.Value.Length > 0)
        {
            logger.LogInformation("create {Id}: plugins directory {Dir} does not exist: no discovery", request.TaskId, pluginsDir);
        }
        var preflight = new PreflightRequest(
            config, new SysfsRoot(config.Host.SysfsRoot.Value), request.SandboxId, oci.NetworkNamespacePath, oci.Json,
            request.Spec.Annotations, [], catalog);
        var result = await SandboxPreflight.RunAsync(preflight, PreflightDeadline, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded && QemuLaunchMapping.GuestBootProblem(config) is { } boot)
        {
            throw new TtrpcException(StatusCode.FailedPrecondition, PipelineMessages.PreflightRefused(request.SandboxId, [boot]));
        }
        if (result.Succeeded && config.Hypervisor.MachineType.Value != "q35")
        {
            // The launcher builds q35 only; say so before anything is touched rather than after QEMU refuses.
            throw new TtrpcException(StatusCode.FailedPrecondition, PipelineMessages.PreflightRefused(request.SandboxId,
                [$"machine_type = \"{config.Hypervisor.MachineType.Value}\" ({config.Hypervisor.MachineType.Origin}): kataplug launches q35 only — set machine_type = \"q35\" in [hypervisor.qemu]"]));
        }
        return result;
    }

    // QEMU continues (cold- and hot-plugged devices are in place), then the agent half of Create (§3.1).
    private async Task<GuestContainer> StartGuestAsync(
        SandboxResources resources, SandboxCreateRequest request, OciSandboxSpec oci, KataplugConfiguration config, Shim.Topology.TopologyPlan plan,
        IReadOnlyList<Shim.Abstractions.AttachmentRequest> attachments, Stopwatch clock, CancellationToken cancellationToken)
    {
        var id = resources.SandboxId;
        var qemu = resources.Qemu!;
        var guestPaths = await GuestSetup.ResolveGuestPathsAsync(qemu, plan, cancellationToken).ConfigureAwait(false);
        await qemu.Qmp.ExecuteAsync("cont", null, QmpCommandDeadline, cancellationToken).ConfigureAwait(false);
        var endpoint = GuestSetup.EndpointFor(config.Agent, QemuLaunchMapping.GuestCidFor(id));
        var agent = await AgentClient.WaitForAgentAsync(endpoint, config.Agent.DialTimeout, cancellationToken).ConfigureAwait(false);
        var guest = new SandboxGuest(id, agent, qemu.CreateVcpuHotplug(), resources.State);
        resources.SetGuest(guest, guest.WatchForDeath(qemu.Exited, logger));
        var version = await agent.VersionAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("create {Id}: agent {Version} (protocol {Protocol}) at {Endpoint} answered after {Ms:0.0} ms",
            id, version.AgentVersion, version.GrpcVersion, endpoint.ToString(), clock.Elapsed.TotalMilliseconds);
        _ = WatchOomAsync(guest, request.Exits);
        await GuestSetup.ConfigureSandboxAsync(agent, id, oci.Json, Path.Combine(request.Bundle, "config.json"), config, attachments, guestPaths, logger, cancellationToken).ConfigureAwait(false);
        return await GuestSetup.CreateContainerAsync(guest, request, oci.Json, config, attachments, guestPaths, logger, cancellationToken).ConfigureAwait(false);
    }

    // Kata's long poll (§3.1 step 15): each reply names a container whose process the guest OOM killer hit. Ends
    // with the sandbox (lifetime cancelled, or the agent closes the channel at DestroySandbox).
    private async Task WatchOomAsync(SandboxGuest guest, ITaskExitSink sink)
    {
        while (!guest.Lifetime.IsCancellationRequested)
        {
            try
            {
                var containerId = await guest.Agent.GetOOMEventAsync(guest.Lifetime).ConfigureAwait(false);
                if (containerId.Length > 0) sink.ReportOom(containerId);
            }
            catch (Exception ex) when (ex is AgentException or OperationCanceledException)
            {
                logger.LogDebug("sandbox {Id}: OOM event loop ended: {Error}", guest.SandboxId, ex.Message);
                return;
            }
        }
    }

    public async Task DeleteAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        if (execId.Length > 0)
        {
            if (_containers.TryGetValue(taskId, out var owner) && owner.Container.Execs.TryRemove(execId, out var exec)) exec.Run.Abort();
            return;
        }
        if (_containers.TryRemove(taskId, out var task) && task.Sandbox.SandboxId != taskId && task.Sandbox.Guest is { } guest)
        {
            // A pod container: the sandbox lives on.
            try
            {
                await guest.Agent.RemoveContainerAsync(task.Container.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentException ex)
            {
                logger.LogWarning("delete {Id}: RemoveContainer: {Error}", taskId, ex.Message);
            }
            task.Container.Init.Abort();
            guest.Containers.TryRemove(task.Container.Id, out _);
            GuestSetup.ReleaseMounts(task.Container, logger);
            RootfsMounts.Release(task.Request, logger);
            return;
        }
        if (!_sandboxes.TryRemove(taskId, out var resources)) return;
        var failures = await resources.ReleaseAsync().ConfigureAwait(false);
        if (task is not null) RootfsMounts.Release(task.Request, logger);
        resources.State.Remove();
        if (failures.Count > 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"sandbox {taskId}: teardown incomplete: {string.Join("; ", failures)}");
        }
        logger.LogInformation("delete {Id}: agent sandbox destroyed, QEMU stopped, devices restored", taskId);
    }
}
