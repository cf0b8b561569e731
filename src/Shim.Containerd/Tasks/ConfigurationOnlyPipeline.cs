using Microsoft.Extensions.Logging;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.Ttrpc;

namespace Shim.Containerd.Tasks;

/// <summary>
/// First pipeline: Create loads and validates the configuration (so a bad file fails the create with every
/// problem listed) and records in the bundle where delete must look for journaled bindings; Start refuses,
/// because no container runs inside the VM yet. The lead replaces it with discovery → plan → bind → QEMU.
/// </summary>
public sealed class ConfigurationOnlyPipeline(IConfigurationFileSystem files, Func<string, string?> environment, ILogger logger) : ISandboxPipeline
{
    public const string StartRefusal = "containers are not run inside the VM yet";

    public ConfigurationOnlyPipeline(ILogger logger)
        : this(PhysicalConfigurationFileSystem.Instance, Environment.GetEnvironmentVariable, logger)
    {
    }

    public Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        var loaded = ConfigurationSelector.Load(
            new ConfigSelectionInputs(
                ConfigConsumer.Shim,
                RuntimeOptionsConfigPath: request.RuntimeConfigPath,
                EnvironmentConfigFile: environment(ConfigFileResolver.EnvironmentVariable),
                Annotations: request.Spec.Annotations),
            files);
        logger.LogInformation("configuration loaded from {Source}", loaded.Source.ToString());
        if (request.IsSandbox)
        {
            var host = loaded.Configuration.Host;
            new BundleState(request.SandboxId, HostPciStateDirectory(host), host.SysfsRoot.Value, ConfigPath: loaded.Source.Path).Save(request.Bundle);
        }
        return Task.FromResult(new SandboxCreated((uint)Environment.ProcessId));
    }

    /// <summary>
    /// Where the HostPci journal and claims of a configuration live: <c>&lt;[host] state_dir&gt;/hostpci</c>, which for the
    /// default state_dir is <see cref="Shim.HostPci.BindingJournal.DefaultStateDirectory"/> (what `kataplug restore` reads).
    /// The real pipeline must bind with this same directory so that delete reconciles the right journal.
    /// </summary>
    public static string HostPciStateDirectory(HostSettings host) => Path.Combine(host.StateDir.Value, "hostpci");

    /// <summary>Per-sandbox runtime state (QMP socket, port allocations): <c>&lt;state_dir&gt;/sandboxes/&lt;id&gt;</c>.</summary>
    public static string SandboxStateDirectory(string stateDir, string sandboxId) => Path.Combine(stateDir, "sandboxes", sandboxId);

    public Task<uint> StartAsync(string taskId, CancellationToken cancellationToken) =>
        throw new TtrpcException(StatusCode.FailedPrecondition, StartRefusal);

    public Task KillAsync(string taskId, uint signal, bool all, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(string taskId, CancellationToken cancellationToken) => Task.CompletedTask;
}
