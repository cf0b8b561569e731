using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

/// <summary>
/// Fault injection for W4: the process "dies" after the N-th sysfs write of a bind or a restore (every later write
/// fails, the in-memory objects are abandoned); reconciliation by fresh objects must then leave every device on its
/// original driver with an empty override, no journal entry and no claim.
/// </summary>
public class CrashRecoveryTests
{
    public enum Scenario { VfGroup, GpuGroup, PartlyUnboundGroup }

    private static readonly Dictionary<Scenario, (int BindWrites, int RestoreWrites)> Writes = new()
    {
        [Scenario.VfGroup] = (3, 4),
        [Scenario.GpuGroup] = (6, 8),
        [Scenario.PartlyUnboundGroup] = (2, 2),
    };

    public static TheoryData<Scenario, int> BindSteps() => Steps(w => w.BindWrites);
    public static TheoryData<Scenario, int> RestoreSteps() => Steps(w => w.RestoreWrites);

    private static TheoryData<Scenario, int> Steps(Func<(int BindWrites, int RestoreWrites), int> count)
    {
        var data = new TheoryData<Scenario, int>();
        foreach (var (scenario, writes) in Writes)
            for (int n = 1; n <= count(writes); n++) data.Add(scenario, n);
        return data;
    }

    private static (TestHost Host, int Group) Build(Scenario scenario)
    {
        var t = new TestHost(b => TestHost.Typical(b)
            .Device(new DeviceSpec("0000:07:00.0") { Driver = "vfio-pci" })
            .Device(new DeviceSpec("0000:07:00.1") { SameGroupAs = "0000:07:00.0" }));
        var bdf = scenario switch { Scenario.VfGroup => "0000:3b:02.1", Scenario.GpuGroup => "0000:65:00.0", _ => "0000:07:00.0" };
        return (t, t.GroupOf(bdf));
    }

    [Theory]
    [InlineData(Scenario.VfGroup)]
    [InlineData(Scenario.GpuGroup)]
    [InlineData(Scenario.PartlyUnboundGroup)]
    public async Task The_step_tables_match_the_real_write_counts(Scenario scenario)
    {
        var (t, group) = Build(scenario);
        using var _ = t;
        var writer = new RecordingWriter(t.Host.Writer());
        await t.Binder(writer).BindAsync(group, "sb1", CancellationToken.None);
        writer.Seen.Count.ShouldBe(Writes[scenario].BindWrites);
        writer.Seen.Clear();
        await t.Binder(writer).RestoreAsync(group, "sb1", CancellationToken.None);
        writer.Seen.Count.ShouldBe(Writes[scenario].RestoreWrites);
    }

    [Theory]
    [MemberData(nameof(BindSteps))]
    public async Task A_crash_after_any_bind_write_is_undone_by_reconciliation_at_shim_start(Scenario scenario, int crashAfter)
    {
        var (t, group) = Build(scenario);
        using var _ = t;
        var before = t.Host.Snapshot();
        var crashing = new CrashingWriter(t.Host.Writer(), crashAfter);
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder(crashing).BindAsync(group, "sb1", CancellationToken.None));
        e.InnerException.ShouldBeOfType<SimulatedCrash>();
        crashing.Writes.ShouldBe(crashAfter);
        t.Journal.Load(group).ShouldNotBeNull().IsComplete.ShouldBeFalse();

        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.IncompleteOnly("sb1"), dryRun: false, CancellationToken.None);

        report.Succeeded.ShouldBeTrue(string.Join("; ", report.Groups.Select(g => g.Error)));
        t.Host.Snapshot().ShouldBe(before);
        t.Host.VfioNodeExists(group).ShouldBe(scenario == Scenario.PartlyUnboundGroup); // 07:00.0 was on vfio-pci from the start
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(RestoreSteps))]
    public async Task A_crash_after_any_restore_write_is_undone_by_reconciliation_at_delete(Scenario scenario, int crashAfter)
    {
        var (t, group) = Build(scenario);
        using var _ = t;
        var before = t.Host.Snapshot();
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        var crashing = new CrashingWriter(t.Host.Writer(), crashAfter);
        await Should.ThrowAsync<Exception>(() => t.Binder(crashing).RestoreAsync(group, "sb1", CancellationToken.None));

        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.ForSandbox("sb1"), dryRun: false, CancellationToken.None);

        report.Succeeded.ShouldBeTrue(string.Join("; ", report.Groups.Select(g => g.Error)));
        t.Host.Snapshot().ShouldBe(before);
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_crash_during_the_rollback_of_a_failed_bind_is_undone_too(int rollbackWritesBeforeCrash)
    {
        var (t, group) = Build(Scenario.GpuGroup);
        using var _ = t;
        var before = t.Host.Snapshot();
        // The audio function's unbind fails (EIO) after the GPU moved to vfio-pci (4 good writes); the rollback then dies.
        t.Host.SetFaults(new FaultPlan { WriteFaults = [new WriteFault(Errno.EIO, PathContains: "unbind", Bdf: "0000:65:00.1")] });
        var crashing = new CrashingWriter(t.Host.Writer(), 4 + rollbackWritesBeforeCrash);
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder(crashing).BindAsync(group, "sb1", CancellationToken.None));
        e.RolledBack.ShouldBeFalse();
        e.Message.ShouldContain("kataplug restore");
        t.Host.SetFaults(new FaultPlan());

        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.All, dryRun: false, CancellationToken.None);
        report.Succeeded.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Dry_run_reports_the_plan_and_writes_nothing()
    {
        var (t, group) = Build(Scenario.GpuGroup);
        using var _ = t;
        var before = t.Host.Snapshot();
        await Should.ThrowAsync<GroupBindException>(() => t.Binder(new CrashingWriter(t.Host.Writer(), 4)).BindAsync(group, "sb1", CancellationToken.None));
        var journalBefore = File.ReadAllText(t.Journal.PathFor(group));
        var writesBefore = t.Host.Writes().Count;
        var stateBefore = t.Host.Snapshot();

        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.All, dryRun: true, CancellationToken.None);

        report.DryRun.ShouldBeTrue();
        t.Host.Writes().Count.ShouldBe(writesBefore);
        t.Host.Snapshot().ShouldBe(stateBefore);
        File.ReadAllText(t.Journal.PathFor(group)).ShouldBe(journalBefore);
        (await t.Ledger.ListAsync(CancellationToken.None)).Count.ShouldBe(1);
        var g = report.Groups.Single();
        g.Restored.ShouldBeFalse();
        g.Actions.ShouldContain(a => a.Contains("0000:65:00.0") && a.Contains("write 'nouveau'"));
        g.Actions.ShouldContain(a => a.Contains("0000:65:00.1") && a.Contains("RestoreOverride"));
        var text = ReconcileReportText.Format(report);
        text.ShouldContain($"group {group} (sandbox sb1, Restoring): would restore");

        (await t.Reconciler().ReconcileAsync(ReconcileScope.All, dryRun: false, CancellationToken.None)).Succeeded.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Scopes_select_what_is_reconciled()
    {
        using var t = new TestHost(TestHost.Typical);
        var vfGroup = t.GroupOf("0000:3b:02.1");
        var gpuGroup = t.GroupOf("0000:65:00.0");
        await t.Binder().BindAsync(vfGroup, "sb1", CancellationToken.None);
        await t.Binder().BindAsync(gpuGroup, "sb2", CancellationToken.None);
        var reconciler = t.Reconciler();

        (await reconciler.ReconcileAsync(ReconcileScope.IncompleteOnly(), false, CancellationToken.None)).Groups.ShouldBeEmpty();
        (await reconciler.ReconcileAsync(new ReconcileScope(IsSandboxAlive: id => true), false, CancellationToken.None)).Groups.ShouldBeEmpty();
        t.Host.DriverOf("0000:3b:02.1").ShouldBe("vfio-pci");

        var r = await reconciler.ReconcileAsync(ReconcileScope.ForSandbox("sb2"), false, CancellationToken.None);
        r.Groups.Single().Group.ShouldBe(gpuGroup);
        t.Host.DriverOf("0000:65:00.0").ShouldBe("nouveau");
        t.Host.DriverOf("0000:3b:02.1").ShouldBe("vfio-pci");
        (await t.Ledger.ListAsync(CancellationToken.None)).Single().SandboxId.ShouldBe("sb1");

        (await reconciler.ReconcileAsync(ReconcileScope.All, false, CancellationToken.None)).Groups.Single().Group.ShouldBe(vfGroup);
        t.Host.DriverOf("0000:3b:02.1").ShouldBe("ixgbevf");
    }

    [Fact]
    public async Task An_orphaned_claim_without_a_journal_entry_is_released()
    {
        using var t = new TestHost(TestHost.Typical);
        await t.Ledger.ClaimAsync(11, "gone", CancellationToken.None);
        var dry = await t.Reconciler().ReconcileAsync(ReconcileScope.All, true, CancellationToken.None);
        dry.OrphanedClaims.Single().Group.ShouldBe(11);
        (await t.Ledger.ListAsync(CancellationToken.None)).Count.ShouldBe(1);
        ReconcileReportText.Format(dry).ShouldContain("would release orphaned claim of sandbox gone");
        await t.Reconciler().ReconcileAsync(ReconcileScope.All, false, CancellationToken.None);
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_vf_that_vanished_is_skipped_and_the_rest_restored()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf("0000:3b:02.1");
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        // SR-IOV disabled behind our back: the VF (and its override) are gone.
        var pf = t.Host.Kernel.RealDir("0000:3b:00.0")!;
        t.Host.Kernel.RemoveDevice(t.Host.Kernel.RealDir("0000:3b:02.1")!, "0000:3b:02.1");
        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.All, false, CancellationToken.None);
        report.Succeeded.ShouldBeTrue();
        report.Groups.Single().Actions.Single().ShouldContain("gone from the host");
        t.Journal.List().ShouldBeEmpty();
        Directory.Exists(pf).ShouldBeTrue();
    }

    [Fact]
    public async Task A_corrupt_journal_entry_is_reported_with_its_path()
    {
        using var t = new TestHost(TestHost.Typical);
        Directory.CreateDirectory(t.Journal.BindingsDirectory);
        await File.WriteAllTextAsync(t.Journal.PathFor(3), "{ not json");
        var e = Should.Throw<InvalidDataException>(() => t.Journal.List());
        e.Message.ShouldContain("group-3.json");

        // Reconciliation still restores the readable entries, reports the corrupt one and keeps its claim.
        var vfGroup = t.GroupOf("0000:3b:02.1");
        await t.Binder().BindAsync(vfGroup, "sb1", CancellationToken.None);
        await t.Ledger.ClaimAsync(3, "sb9", CancellationToken.None);
        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.All, false, CancellationToken.None);
        report.Succeeded.ShouldBeFalse();
        report.JournalErrors!.Single().ShouldContain("group-3.json");
        report.Groups.Single().Group.ShouldBe(vfGroup);
        t.Host.DriverOf("0000:3b:02.1").ShouldBe("ixgbevf");
        (await t.Ledger.ListAsync(CancellationToken.None)).Single().Group.ShouldBe(3);
        ReconcileReportText.Format(report).ShouldContain("error: journal file");
    }
}
