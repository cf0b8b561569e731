using Shim.HostPci;
using Shim.Qemu;

namespace Shim.Sandbox.Pipeline;

/// <summary>The texts containerd passes on to ctr and the kubelet: what failed, in the words of whoever refused.</summary>
public static class PipelineMessages
{
    public static string PreflightRefused(string sandboxId, IReadOnlyList<string> problems) =>
        $"sandbox {sandboxId}: {problems.Count} problem{(problems.Count == 1 ? "" : "s")}, nothing was changed on the host:\n"
        + string.Join("\n", problems);

    public static string ApplyFailed(string sandboxId, Exception cause, IReadOnlyList<string> rollbackFailures)
    {
        var what = cause switch
        {
            QemuStartException q => q.Message, // carries QEMU's own stderr verbatim
            GroupBindException or GroupNotAssignableException or GroupClaimedException => cause.Message,
            OperationCanceledException => "cancelled (containerd gave up on the create)",
            _ => cause.Message,
        };
        var rollback = rollbackFailures.Count == 0
            ? "rolled back: QEMU stopped, every device returned to its driver"
            : "rollback incomplete: " + string.Join("; ", rollbackFailures) + " — run `kataplug restore`";
        return $"sandbox {sandboxId}: {what}\n{rollback}";
    }
}
