using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Tasks;
using Shim.HostPci;
using Shim.PluginHost.Loading;
using Shim.Qemu;
using Shim.Sandbox.Preflight;
using Shim.Ttrpc;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// The shim's sandbox pipeline. Create: configuration → discover and plan (plugins, topology) → every preflight
/// check, all without a side effect; then bind (journaled) → QEMU with the cold-plug topology → QMP → hot-plug.
/// Any failure releases what was acquired, in reverse, and the error text reaches ctr and the kubelet as written.
/// Delete: hot-unplug with deadlines, stop QEMU, restore the devices. No container process runs in the VM yet,
/// so Start answers FailedPrecondition.
/// </summary>
public sealed class SandboxPipeline(IConfigurationFileSystem files, Func<string, string?> environment, ILogger logger, PluginOwnerPolicy pluginOwnerPolicy)
    : ISandboxPipeline
{
    public static readonly TimeSpan PreflightDeadline = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, SandboxResources> _sandboxes = new(StringComparer.Ordinal);

    public SandboxPipeline(ILogger logger)
        : this(PhysicalConfigurationFileSystem.Instance, Environment.GetEnvironmentVariable, logger, PluginOwnerPolicy.RootOrCurrentUser)
    {
    }

    /// <summary>The shim daemon's pipeline: JIT-warms the read-only path while containerd connects (see <see cref="PipelineWarmup"/>).</summary>
    /// <param name="runtimeConfigPath">config_path from start's stdin (the daemon's <c>-runtime-config</c>), or null.</param>
    public static SandboxPipeline ForShimDaemon(ILogger logger, string? runtimeConfigPath)
    {
        var pipeline = new SandboxPipeline(logger);
        _ = PipelineWarmup.Start(runtimeConfigPath, PhysicalConfigurationFileSystem.Instance, Environment.GetEnvironmentVariable, PluginOwnerPolicy.RootOrCurrentUser, logger);
        return pipeline;
    }

    public async Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var loaded = ConfigurationSelector.Load(
            new ConfigSelectionInputs(
                ConfigConsumer.Shim,
                RuntimeOptionsConfigPath: request.RuntimeConfigPath,
                EnvironmentConfigFile: environment(ConfigFileResolver.EnvironmentVariable),
                Annotations: request.Spec.Annotations),
            files);
        var config = loaded.Configuration;
        logger.LogInformation("create {Id}: configuration loaded from {Source} ({Ms:0.0} ms)", request.TaskId, loaded.Source.ToString(), clock.Elapsed.TotalMilliseconds);
        if (!request.IsSandbox)
        {
            // A pod container: nothing runs inside the VM yet, and the sandbox owns every device.
            return new SandboxCreated((uint)Environment.ProcessId);
        }

        var id = request.SandboxId;
        var result = await PreflightAsync(request, config, cancellationToken).ConfigureAwait(false);
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

    private async Task<PreflightResult> PreflightAsync(SandboxCreateRequest request, KataplugConfiguration config, CancellationToken cancellationToken)
    {
        var oci = OciSandboxSpec.Load(request.Bundle);
        var pluginsDir = config.Plugins.Directory.Value;
        PluginCatalog? catalog = null;
        if (config.Plugins.Enabled.Value.Length > 0 && Directory.Exists(pluginsDir))
        {
            var loading = Stopwatch.StartNew();
            catalog = new PluginLoader(new PluginLoaderOptions(pluginsDir) { OwnerPolicy = pluginOwnerPolicy }).LoadAll();
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
        if (result.Succeeded && config.Hypervisor.MachineType.Value != "q35")
        {
            // The launcher builds q35 only; say so before anything is touched rather than after QEMU refuses.
            throw new TtrpcException(StatusCode.FailedPrecondition, PipelineMessages.PreflightRefused(request.SandboxId,
                [$"machine_type = \"{config.Hypervisor.MachineType.Value}\" ({config.Hypervisor.MachineType.Origin}): kataplug launches q35 only — set machine_type = \"q35\" in [hypervisor.qemu]"]));
        }
        return result;
    }

    public Task<uint> StartAsync(string taskId, CancellationToken cancellationToken) =>
        throw new TtrpcException(StatusCode.FailedPrecondition, TaskRefusals.StartRefusal);

    // A created (never started) task's kill is answered by the Task service; nothing else can be running.
    public Task KillAsync(string taskId, uint signal, bool all, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        if (!_sandboxes.TryRemove(taskId, out var resources)) return;
        var failures = await resources.ReleaseAsync().ConfigureAwait(false);
        resources.State.Remove();
        if (failures.Count > 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"sandbox {taskId}: teardown incomplete: {string.Join("; ", failures)}");
        }
        logger.LogInformation("delete {Id}: QEMU stopped, devices restored", taskId);
    }
}
