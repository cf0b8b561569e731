using Shim.Containerd.Protos.Task;
using Shim.HostPci;
using Shim.Containerd.Tasks;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// The <c>delete</c> action (containerd-shim-v2.md §6): runs after EVERY disconnect, so it is idempotent, reads only
/// disk state, and finishes well inside containerd's 5 s. For the task that owns a daemon (sandbox or standalone
/// container) it kills a leftover daemon and QEMU (pid-reuse guarded), returns the sandbox's journaled device
/// bindings to their original drivers and removes the socket. A pod container owns nothing, so its delete only
/// answers. The result is a <c>DeleteResponse</c> with exit status 137 (128 + SIGKILL) and now, as Kata and runc do.
/// </summary>
public sealed class ShimDelete(ShimFlags flags, string bundleDirectory, string socketDirectory, TextWriter warnings)
{
    public const uint KilledExitStatus = 137;

    /// <summary>Everything must be done by then; containerd kills us at 5 s.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan ProcessExitWait = TimeSpan.FromSeconds(1);

    /// <summary>Cleans up; returns the response to print and whether every step succeeded.</summary>
    public async Task<(DeleteResponse Response, bool Clean)> RunAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Budget);
        var clean = true;

        var spec = BundleSpec.Empty;
        try
        {
            spec = BundleSpec.Load(bundleDirectory);
        }
        catch (InvalidDataException ex)
        {
            Warn(ex.Message); // still clean up what the pid files and journal say
        }
        var owner = spec.DaemonOwnerId(flags.Id);
        if (owner == flags.Id)
        {
            clean &= await CleanUpSandboxAsync(budget.Token).ConfigureAwait(false);
        }
        var response = new DeleteResponse
        {
            Pid = 0,
            ExitStatus = KilledExitStatus,
            ExitedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        };
        return (response, clean);
    }

    private async Task<bool> CleanUpSandboxAsync(CancellationToken cancellationToken)
    {
        var clean = true;
        var socketPath = ShimSocketAddress.SocketPath(socketDirectory, flags.Address, flags.Namespace, flags.Id);

        if (ShimPidFile.Read(bundleDirectory) is { } daemonPid && IsOurDaemon(daemonPid, socketPath))
        {
            clean &= await KillAndWaitAsync(daemonPid, "shim daemon", cancellationToken).ConfigureAwait(false);
        }

        BundleState? state = null;
        try
        {
            state = BundleState.Load(bundleDirectory);
        }
        catch (InvalidDataException ex)
        {
            Warn(ex.Message);
            clean = false;
        }
        if (state?.QemuPid is { } qemuPid && ChildProcess.IsAlive(qemuPid)
            && (state.QemuStartTicks is null || ChildProcess.StartTicks(qemuPid) == state.QemuStartTicks))
        {
            clean &= await KillAndWaitAsync(qemuPid, "QEMU", cancellationToken).ConfigureAwait(false);
        }

        clean &= await ReconcileAsync(state, cancellationToken).ConfigureAwait(false);
        if (clean) RemoveSandboxStateDirectory(state);

        try
        {
            if (File.Exists(socketPath) && !ShimStart.Accepts(socketPath))
            {
                File.Delete(socketPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Warn($"cannot remove socket {socketPath}: {ex.Message}");
        }
        return clean;
    }

    // The pipeline keeps its QMP socket and port allocations in <state_dir>/sandboxes/<id>, beside <state_dir>/hostpci.
    // Only once QEMU is gone and the devices are back is that state worthless.
    private void RemoveSandboxStateDirectory(BundleState? state)
    {
        if (state?.HostPciStateDirectory is not { } hostPci || Path.GetDirectoryName(hostPci) is not { } stateDir) return;
        var dir = ShimStateLayout.SandboxStateDirectory(stateDir, SandboxId.Require(flags.Id));
        try
        {
            // The container rootfs is bind-mounted in there: detach before deleting, or the delete empties it.
            Mounts.MountTable.DeleteTreeSafely(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Warn($"cannot remove sandbox state {dir}: {ex.Message}");
        }
    }

    private async Task<bool> ReconcileAsync(BundleState? state, CancellationToken cancellationToken)
    {
        var stateDirectory = state?.HostPciStateDirectory ?? BindingJournal.DefaultStateDirectory;
        if (!Directory.Exists(stateDirectory))
        {
            return true; // nothing was ever journaled or claimed there
        }
        try
        {
            var reconciler = Reconciler.Create(new SysfsRoot(state?.SysfsRoot ?? "/"), stateDirectory);
            var report = await reconciler.ReconcileAsync(ReconcileScope.ForSandbox(flags.Id), dryRun: false, cancellationToken).ConfigureAwait(false);
            if (!report.Succeeded || report.Groups.Count > 0 || report.OrphanedClaims.Count > 0)
            {
                Warn(ReconcileReportText.Format(report).TrimEnd());
            }
            return report.Succeeded;
        }
        catch (Exception ex)
        {
            Warn($"restoring the device bindings of sandbox {flags.Id} from {stateDirectory} failed: {ex.Message}; run `kataplug restore`");
            return false;
        }
    }

    // The pid file may outlive its process and the pid be reused: only kill a process whose argv is our daemon's.
    private static bool IsOurDaemon(int pid, string socketPath)
    {
        var argv = ChildProcess.CommandLine(pid);
        return argv.Contains("serve") && argv.Contains(socketPath);
    }

    private async Task<bool> KillAndWaitAsync(int pid, string what, CancellationToken cancellationToken)
    {
        ChildProcess.Kill(pid);
        try
        {
            await BoundedPoll.UntilAsync(() => !ChildProcess.IsAlive(pid), ProcessExitWait, () => $"{what} {pid} still alive after SIGKILL", cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Warn(ex.Message);
            return false;
        }
    }

    private void Warn(string message) => warnings.WriteLine($"kataplug delete {flags.Id}: {message}");
}
