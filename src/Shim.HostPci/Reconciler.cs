namespace Shim.HostPci;

/// <summary>Which journal entries a reconciliation covers.</summary>
/// <param name="SandboxId">Only this sandbox; null = every sandbox.</param>
/// <param name="IncludeCompleted">Also restore bindings that completed (delete, operator restore); false = only incomplete ones (shim start).</param>
/// <param name="IsSandboxAlive">Optional: entries of sandboxes for which this returns true are left alone.</param>
public sealed record ReconcileScope(string? SandboxId = null, bool IncludeCompleted = true, Func<string, bool>? IsSandboxAlive = null)
{
    public static ReconcileScope All { get; } = new();
    public static ReconcileScope ForSandbox(string sandboxId) => new(Shim.HostPci.SandboxId.Require(sandboxId));
    public static ReconcileScope IncompleteOnly(string? sandboxId = null) => new(sandboxId, IncludeCompleted: false);

    internal bool Covers(string sandboxId, bool complete) =>
        (SandboxId is null || SandboxId == sandboxId) && (IncludeCompleted || !complete) && IsSandboxAlive?.Invoke(sandboxId) != true;
}

/// <summary>What one group's reconciliation did (or, in dry-run, would do).</summary>
public sealed record ReconcileGroupOutcome(int Group, string SandboxId, BindingState State, bool Restored, IReadOnlyList<string> Actions, string? Error);

/// <param name="JournalErrors">Journal entries that could not be read (left untouched, their claims kept).</param>
public sealed record ReconcileReport(bool DryRun, IReadOnlyList<ReconcileGroupOutcome> Groups, IReadOnlyList<GroupClaim> OrphanedClaims,
    IReadOnlyList<string>? JournalErrors = null)
{
    public bool Succeeded => Groups.All(g => g.Error is null) && (JournalErrors is null || JournalErrors.Count == 0);
}

/// <summary>
/// Returns every journaled binding in scope to its original drivers with the original (empty) override, deletes
/// the entries and releases the claims, including claims that have no journal entry (crash between claim and
/// journal). Used at shim start (<see cref="ReconcileScope.IncompleteOnly"/>), by `shim delete`
/// (<see cref="ReconcileScope.ForSandbox"/>) and by `kataplug restore` (<see cref="ReconcileScope.All"/>).
/// Dry-run reads only and reports the writes it would make.
/// </summary>
public sealed class Reconciler
{
    private readonly BindingJournal journal;
    private readonly ClaimLedger ledger;
    private readonly DriverSwitcher switcher;

    public Reconciler(SysfsRoot root, ISysfsWriter writer, BindingJournal journal, ClaimLedger ledger, BindingOptions? options = null)
    {
        this.journal = journal;
        this.ledger = ledger;
        switcher = new DriverSwitcher(root, writer, options ?? new BindingOptions());
    }

    public static Reconciler Create(SysfsRoot root, string stateDirectory, BindingOptions? options = null) =>
        new(root, SysfsWriterFactory.Create(root), new BindingJournal(stateDirectory), new ClaimLedger(stateDirectory), options);

    public async Task<ReconcileReport> ReconcileAsync(ReconcileScope scope, bool dryRun, CancellationToken cancellationToken)
    {
        var outcomes = new List<ReconcileGroupOutcome>();
        var journalErrors = new List<string>();
        var unreadable = new List<int>();
        var records = journal.ListReadable(journalErrors, unreadable);
        var journaled = new HashSet<int>(unreadable);
        foreach (var record in records)
        {
            journaled.Add(record.Group);
            if (!scope.Covers(record.SandboxId, record.IsComplete))
                continue;
            var plan = new List<string>();
            string? error = null;
            try
            {
                var session = new BindingSession(dryRun ? null : journal, record);
                await GroupBinder.RestoreRecordAsync(switcher, journal, ledger, session, plan, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e is AggregateException agg ? string.Join("; ", agg.InnerExceptions.Select(i => i.Message)) : e.Message;
            }
            outcomes.Add(new ReconcileGroupOutcome(record.Group, record.SandboxId, record.State, !dryRun && error is null, plan, error));
        }

        var orphans = new List<GroupClaim>();
        foreach (var claim in await ledger.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            // A claim without a journal entry never reached its first write: incomplete by definition.
            if (journaled.Contains(claim.Group) || !scope.Covers(claim.SandboxId, complete: false))
                continue;
            orphans.Add(claim);
            if (!dryRun)
                await ledger.ReleaseAsync(claim.Group, claim.SandboxId, cancellationToken).ConfigureAwait(false);
        }
        return new ReconcileReport(dryRun, outcomes, orphans, journalErrors);
    }
}
