namespace Shim.HostPci;

/// <summary>
/// Binds a whole IOMMU group to vfio-pci for a sandbox and restores it, with a pre-flight before the first write,
/// a cross-process claim, a write-ahead journal entry around every sysfs write, verification of every result and
/// a rollback in reverse order on any failure (W4–W6).
/// </summary>
public sealed class GroupBinder
{
    private readonly SysfsRoot root;
    private readonly BindingJournal journal;
    private readonly ClaimLedger ledger;
    private readonly BindingOptions options;
    private readonly DriverSwitcher switcher;

    public GroupBinder(SysfsRoot root, ISysfsWriter writer, BindingJournal journal, ClaimLedger ledger, BindingOptions? options = null)
    {
        this.root = root;
        this.journal = journal;
        this.ledger = ledger;
        this.options = options ?? new BindingOptions();
        switcher = new DriverSwitcher(root, writer, this.options);
    }

    /// <summary>A binder on <paramref name="root"/> with the writer <see cref="SysfsWriterFactory"/> picks and state in <paramref name="stateDirectory"/>.</summary>
    public static GroupBinder Create(SysfsRoot root, string stateDirectory, BindingOptions? options = null) =>
        new(root, SysfsWriterFactory.Create(root), new BindingJournal(stateDirectory), new ClaimLedger(stateDirectory), options);

    /// <summary>
    /// Puts every non-bridge member of <paramref name="group"/> on vfio-pci and waits for /dev/vfio/&lt;N&gt;.
    /// Idempotent for the same sandbox. Throws <see cref="GroupNotAssignableException"/> (nothing written),
    /// <see cref="GroupClaimedException"/> (nothing written) or <see cref="GroupBindException"/> (rolled back).
    /// </summary>
    public async Task<BoundGroup> BindAsync(int group, string sandboxId, CancellationToken cancellationToken)
    {
        SandboxId.Require(sandboxId);
        // Read-only pre-flight first: a refused group costs no claim and no write.
        var members = PciInventory.ReadGroup(root, group);
        var facts = HostFactsReader.Read(root);
        var existing = journal.Load(group);
        if (existing is not null && existing.SandboxId != sandboxId)
            throw new GroupClaimedException(new GroupClaim(group, existing.SandboxId, 0, existing.UpdatedAt), sandboxId);
        if (existing is null || !existing.IsComplete)
        {
            var verdict = GroupViability.Check(facts, members, options.AllowHostDevices);
            if (!verdict.Assignable)
                throw new GroupNotAssignableException(verdict);
        }
        await VfioModuleLoader.EnsureLoadedAsync(root, options, cancellationToken).ConfigureAwait(false);

        // Claim before the journal entry: only the claim holder ever writes group-<N>.json. A crash between the
        // two leaves a claim without an entry, which reconciliation releases.
        await ledger.ClaimAsync(group, sandboxId, cancellationToken).ConfigureAwait(false);
        if (existing is { IsComplete: false })
        {
            await RestoreAsync(group, sandboxId, cancellationToken).ConfigureAwait(false);
            await ledger.ClaimAsync(group, sandboxId, cancellationToken).ConfigureAwait(false);
            members = PciInventory.ReadGroup(root, group);
            existing = null;
        }
        var assignable = members.Assignable.ToList();
        var session = new BindingSession(journal, existing ?? new BindingRecord(
            sandboxId, group, BindingState.Binding,
            assignable.Select(m => new MemberRecord(m.Address.ToString(), m.Driver, m.DriverOverride)).ToList(),
            DateTimeOffset.UtcNow));
        if (existing is null)
            journal.Save(session.Record);

        try
        {
            foreach (var m in assignable)
                await switcher.BindToVfioAsync(session, m.Address, cancellationToken).ConfigureAwait(false);
            var node = root.DevVfioGroup(group);
            await BoundedPoll.UntilAsync(() => File.Exists(node), options.DevNodeTimeout,
                () => $"{node} did not appear after every member of group {group} was bound to vfio-pci; check devtmpfs/udev", cancellationToken).ConfigureAwait(false);
            foreach (var m in assignable)
            {
                var now = switcher.CurrentDriver(m.Address);
                if (now != VfioPci.DriverName)
                    throw new DriverVerificationException(m.Address, VfioPci.DriverName, now, "the device left vfio-pci while the rest of its group was being bound");
            }
            if (session.Record.State != BindingState.Bound)
                session.SetState(BindingState.Bound);
            var bound = PciInventory.ReadGroup(root, group).Assignable.ToList();
            return new BoundGroup(group, sandboxId, node, bound);
        }
        catch (Exception cause)
        {
            Exception? rollbackError = null;
            try
            {
                await RestoreSessionAsync(session, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                rollbackError = e;
            }
            throw new GroupBindException(group, sandboxId, rollbackError is null, cause, rollbackError);
        }
    }

    /// <summary>
    /// Returns every member to its recorded original driver with its original (normally empty) override, verifies,
    /// then forgets the journal entry and releases the claim. Call only once QEMU has released the group (W8).
    /// No journal entry: only a stale claim of this sandbox is released.
    /// </summary>
    public async Task RestoreAsync(int group, string sandboxId, CancellationToken cancellationToken)
    {
        SandboxId.Require(sandboxId);
        var record = journal.Load(group);
        if (record is null)
        {
            await ledger.ReleaseAsync(group, sandboxId, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (record.SandboxId != sandboxId)
            throw new GroupClaimedException(new GroupClaim(group, record.SandboxId, 0, record.UpdatedAt), sandboxId);
        await RestoreSessionAsync(new BindingSession(journal, record), cancellationToken).ConfigureAwait(false);
    }

    internal async Task RestoreSessionAsync(BindingSession session, CancellationToken cancellationToken) =>
        await RestoreRecordAsync(switcher, journal, ledger, session, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Shared with <see cref="Reconciler"/>: restore members in reverse order, keep going on errors.</summary>
    internal static async Task RestoreRecordAsync(DriverSwitcher switcher, BindingJournal journal, ClaimLedger ledger,
        BindingSession session, List<string>? plan, CancellationToken cancellationToken)
    {
        if (!session.DryRun && session.Record.State != BindingState.Restoring)
            session.SetState(BindingState.Restoring);
        var errors = new List<Exception>();
        foreach (var m in session.Record.Members.Reverse())
        {
            try
            {
                await switcher.RestoreAsync(session, PciAddress.Parse(m.Bdf), m.OriginalDriver, m.OriginalOverride, plan, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                errors.Add(e);
            }
        }
        if (errors.Count > 0)
            throw new GroupRestoreException(session.Record.Group, errors);
        if (session.DryRun)
        {
            plan?.Add($"group {session.Record.Group}: release the claim of sandbox '{session.Record.SandboxId}' and delete the journal entry");
            return;
        }
        journal.Delete(session.Record.Group);
        await ledger.ReleaseAsync(session.Record.Group, session.Record.SandboxId, cancellationToken).ConfigureAwait(false);
    }
}
