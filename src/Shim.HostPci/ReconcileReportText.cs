using System.Text;

namespace Shim.HostPci;

/// <summary>Human text of a <see cref="ReconcileReport"/> for `kataplug restore`.</summary>
public static class ReconcileReportText
{
    public static string Format(ReconcileReport report)
    {
        var sb = new StringBuilder();
        foreach (var error in report.JournalErrors ?? [])
            sb.AppendLine("error: " + error);
        if (report.Groups.Count == 0 && report.OrphanedClaims.Count == 0 && (report.JournalErrors ?? []).Count == 0)
        {
            sb.AppendLine("nothing to restore: no journaled bindings or claims in scope");
            return sb.ToString();
        }
        foreach (var g in report.Groups)
        {
            var verdict = g.Error is not null ? "FAILED" : report.DryRun ? "would restore" : "restored";
            sb.AppendLine($"group {g.Group} (sandbox {g.SandboxId}, {g.State}): {verdict}");
            foreach (var action in g.Actions) sb.AppendLine("  " + action);
            if (g.Actions.Count == 0) sb.AppendLine("  every member is already on its original driver");
            if (g.Error is not null) sb.AppendLine("  error: " + g.Error);
        }
        foreach (var c in report.OrphanedClaims)
            sb.AppendLine($"group {c.Group}: {(report.DryRun ? "would release" : "released")} orphaned claim of sandbox {c.SandboxId} (no journal entry)");
        return sb.ToString();
    }
}
