using System.CommandLine;
using Shim.HostPci;

namespace Kataplug.Cli.Commands;

/// <summary>`kataplug restore`: return every journaled VFIO binding to its original host driver and release the claims.</summary>
public static class RestoreCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be written and write nothing" };
        var state = new Option<string>("--state-dir") { Description = "Directory holding bindings/ and claims.json", DefaultValueFactory = _ => BindingJournal.DefaultStateDirectory };
        var root = new Option<string>("--sysfs-root") { Description = "Root that holds sys/, dev/ and proc/", DefaultValueFactory = _ => "/" };
        var sandbox = new Option<string?>("--sandbox") { Description = "Only this sandbox id (default: every sandbox)" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "Overall deadline", DefaultValueFactory = _ => 120 };
        var command = new Command("restore", "Return every journaled VFIO binding (complete, incomplete or orphaned) to its original driver with an empty driver_override") { dryRun, state, root, sandbox, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))));
            try
            {
                var reconciler = Reconciler.Create(new SysfsRoot(parse.GetValue(root)!), parse.GetValue(state)!);
                var id = parse.GetValue(sandbox);
                var scope = id is null ? ReconcileScope.All : ReconcileScope.ForSandbox(id);
                var report = await reconciler.ReconcileAsync(scope, parse.GetValue(dryRun), deadline.Token).ConfigureAwait(false);
                Console.Out.Write(ReconcileReportText.Format(report));
                return report.Succeeded ? 0 : 1;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"kataplug restore: did not finish within {parse.GetValue(timeout)} s; run it again (it is idempotent)");
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or TimeoutException)
            {
                Console.Error.WriteLine("kataplug restore: " + e.Message);
                return 1;
            }
        });
        return command;
    }
}
