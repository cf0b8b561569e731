using Shim.Agent;
using Microsoft.Extensions.Logging;
using Shim.HostPci;
using Shim.Qemu;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// What a sandbox holds, recorded as each piece is acquired: bound IOMMU groups, the QEMU process, hot-plugged
/// devices. <see cref="ReleaseAsync"/> undoes them in reverse (unplug → stop QEMU → restore groups), and is what both
/// a failed Create and Delete run, so a half-built sandbox and a complete one are torn down the same way.
/// </summary>
public sealed class SandboxResources(string sandboxId, GroupBinder binder, SandboxStateDirectory state, ILogger logger)
{
    /// <summary>Deadline of each hot-unplug (no guest OS yet: QEMU usually answers at once or never).</summary>
    public static readonly TimeSpan UnplugDeadline = TimeSpan.FromSeconds(2);

    /// <summary>Grace for QMP <c>quit</c> before SIGKILL.</summary>
    public static readonly TimeSpan QemuStopGrace = TimeSpan.FromSeconds(2);

    private readonly List<int> _boundGroups = [];
    private readonly List<string> _hotPlugged = [];

    public string SandboxId { get; } = sandboxId;

    public SandboxStateDirectory State { get; } = state;

    public GroupBinder Binder { get; } = binder;

    public QemuProcess? Qemu { get; private set; }

    public PciHotplug? Hotplug { get; private set; }

    /// <summary>The agent side, once the agent answered (null before, and after release).</summary>
    public Shim.Sandbox.Containers.SandboxGuest? Guest { get; private set; }

    /// <summary>Deadline of DestroySandbox at teardown (the VM is stopped right after in any case).</summary>
    public static readonly TimeSpan DestroySandboxDeadline = TimeSpan.FromSeconds(2);

    /// <summary>virtiofsd, when the guest's agent reads the shared directory over virtio-fs.</summary>
    public VirtiofsDaemon? Virtiofs { get; private set; }

    public void SetVirtiofs(VirtiofsDaemon daemon) => Virtiofs = daemon;

    /// <summary>The agent liveness loop of <see cref="Guest"/> (disposed at teardown).</summary>
    public AgentHealthMonitor? Health { get; private set; }

    public void SetGuest(Shim.Sandbox.Containers.SandboxGuest guest, AgentHealthMonitor? health = null)
    {
        Guest = guest;
        Health = health;
    }

    public IReadOnlyList<int> BoundGroups => _boundGroups;

    public IReadOnlyList<string> HotPlugged => _hotPlugged;

    public void AddBoundGroup(int group) => _boundGroups.Add(group);

    public void SetQemu(QemuProcess qemu, PciHotplug hotplug)
    {
        Qemu = qemu;
        Hotplug = hotplug;
    }

    public void AddHotPlugged(string qemuId) => _hotPlugged.Add(qemuId);

    private async Task UnplugAsync(PciHotplug hotplug, string id)
    {
        try
        {
            var result = await hotplug.RemoveAsync(id, UnplugDeadline, CancellationToken.None).ConfigureAwait(false);
            // Not released by the guest: QEMU still owns the device, and stopping QEMU next releases it.
            logger.LogInformation("sandbox {Id}: unplug {Device}: {Outcome} ({Detail})", SandboxId, id, result.Outcome, result.Detail);
        }
        catch (Exception ex)
        {
            logger.LogWarning("sandbox {Id}: unplug {Device} failed: {Error}; stopping QEMU releases it", SandboxId, id, ex.Message);
        }
    }

    // The agent stops every container (DestroySandbox), then the long polls end and the shares are detached; a dead
    // agent only costs the deadline, since stopping QEMU ends the guest anyway.
    private async Task ReleaseGuestAsync(Shim.Sandbox.Containers.SandboxGuest guest)
    {
        try
        {
            await guest.Agent.DestroySandboxAsync(CancellationToken.None, DestroySandboxDeadline).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogInformation("sandbox {Id}: DestroySandbox: {Error}; the VM is stopped next regardless", SandboxId, ex.Message);
        }
        guest.EndLifetime();
        foreach (var container in guest.Containers.Values)
        {
            container.Init.Abort();
            foreach (var exec in container.Execs.Values) exec.Run.Abort();
            Shim.Sandbox.Containers.GuestSetup.ReleaseMounts(container, logger);
        }
        guest.Containers.Clear();
        await guest.Agent.DisposeAsync().ConfigureAwait(false);
        guest.Vcpus.Dispose();
    }

    /// <summary>
    /// Releases everything, in reverse order, continuing past failures. Returns one line per step that failed
    /// (empty = clean). Never cancelled by the caller's token: a half-done teardown is worse than a slow one, and
    /// every step has its own deadline.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReleaseAsync()
    {
        var failures = new List<string>();
        if (Health is { } health)
        {
            await health.DisposeAsync().ConfigureAwait(false);
            Health = null;
        }
        if (Guest is { } guest)
        {
            await ReleaseGuestAsync(guest).ConfigureAwait(false);
            Guest = null;
        }
        if (Hotplug is { } hotplug)
        {
            // All at once, so the whole unplug phase takes one deadline however many devices there are
            // (containerd gives the Delete RPC 5 s). The newest is asked first.
            await Task.WhenAll(Enumerable.Reverse(_hotPlugged).Select(id => UnplugAsync(hotplug, id))).ConfigureAwait(false);
            _hotPlugged.Clear();
            hotplug.Dispose();
            Hotplug = null;
        }
        if (Qemu is { } qemu)
        {
            var pid = qemu.Pid; // the Process object forgets it once disposed
            try
            {
                var code = await qemu.StopAsync(QemuStopGrace).ConfigureAwait(false);
                await qemu.DisposeAsync().ConfigureAwait(false);
                if (code == -1) failures.Add($"QEMU (pid {pid}) did not exit after SIGKILL; its devices stay bound");
                logger.LogInformation("sandbox {Id}: QEMU pid {Pid} stopped (exit {Code})", SandboxId, pid, code);
            }
            catch (Exception ex)
            {
                failures.Add($"stopping QEMU (pid {pid}): {ex.Message}");
            }
            Qemu = null;
        }
        if (Virtiofs is { } virtiofs)
        {
            await virtiofs.DisposeAsync().ConfigureAwait(false); // normally gone already: it exits with QEMU
            Virtiofs = null;
        }
        // Restore only once QEMU is gone (or never started): it holds the groups open until it exits (W8).
        if (failures.Count == 0)
        {
            for (var i = _boundGroups.Count - 1; i >= 0; i--)
            {
                var group = _boundGroups[i];
                try
                {
                    await Binder.RestoreAsync(group, SandboxId, CancellationToken.None).ConfigureAwait(false);
                    _boundGroups.RemoveAt(i);
                    logger.LogInformation("sandbox {Id}: IOMMU group {Group} restored", SandboxId, group);
                }
                catch (Exception ex)
                {
                    failures.Add($"restoring IOMMU group {group}: {ex.Message}");
                }
            }
        }
        else if (_boundGroups.Count > 0)
        {
            failures.Add($"IOMMU groups {string.Join(", ", _boundGroups)} left on vfio-pci because QEMU may still hold them; run `kataplug restore` once it is gone");
        }
        return failures;
    }
}
