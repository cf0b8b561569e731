using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

public class BinderTests
{
    private const string Vf = "0000:3b:02.1";

    [Fact]
    public async Task Binds_a_vf_group_with_the_exact_kernel_sequence_and_verifies_it()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf(Vf);
        var bound = await t.Binder().BindAsync(group, "sb1", CancellationToken.None);

        bound.VfioDevicePath.ShouldBe(Path.Combine(t.Host.Root, $"dev/vfio/{group}"));
        bound.Functions.Single().Driver.ShouldBe("vfio-pci");
        t.Host.VfioNodeExists(group).ShouldBeTrue();
        t.Host.NetInterfacesOf(Vf).ShouldBeEmpty();
        t.Host.Writes().Select(w => w.Short).ShouldBe([$"{Vf}/driver_override=vfio-pci", $"ixgbevf/unbind={Vf}", $"drivers_probe={Vf}"]);
        var record = t.Journal.Load(group)!;
        record.State.ShouldBe(BindingState.Bound);
        record.Members.Single().ShouldBe(new MemberRecord(Vf, "ixgbevf", null, BindingStep.ProbeVfio, StepPhase.Done));
        (await t.Ledger.ListAsync(CancellationToken.None)).Single().ShouldBe(new GroupClaim(group, "sb1", Environment.ProcessId, (await t.Ledger.ListAsync(CancellationToken.None))[0].ClaimedAt));
    }

    [Fact]
    public async Task Restore_returns_the_original_driver_with_the_override_cleared()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        var group = t.GroupOf(Vf);
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        t.Host.ClearWrites();
        await t.Binder().RestoreAsync(group, "sb1", CancellationToken.None);

        t.Host.Snapshot().ShouldBe(before);
        t.Host.DriverOf(Vf).ShouldBe("ixgbevf");
        t.Host.OverrideOf(Vf).ShouldBeNull();
        t.Host.NetInterfacesOf(Vf).ShouldBe(["ens1f0v1"]);
        t.Host.VfioNodeExists(group).ShouldBeFalse();
        t.Host.Writes().Select(w => w.Short).ShouldBe([
            $"{Vf}/driver_override=ixgbevf", $"vfio-pci/unbind={Vf}", $"drivers_probe={Vf}", $"{Vf}/driver_override=\\n"]);
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_multi_function_group_moves_together_and_comes_back_together()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        var group = t.GroupOf("0000:65:00.0");
        var bound = await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        bound.Functions.Select(f => f.Address.ToString()).ShouldBe(["0000:65:00.0", "0000:65:00.1"]);
        t.Host.DriverOf("0000:65:00.0").ShouldBe("vfio-pci");
        t.Host.DriverOf("0000:65:00.1").ShouldBe("vfio-pci");
        await t.Binder().RestoreAsync(group, "sb1", CancellationToken.None);
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task A_bridge_in_the_group_is_left_alone()
    {
        using var t = new TestHost(b => b.RootPort("0000:00:1c.0", group: 4).Nic("0000:03:00.0", behind: "0000:00:1c.0", sameGroupAs: "0000:00:1c.0"));
        await t.Binder().BindAsync(4, "sb1", CancellationToken.None);
        t.Host.DriverOf("0000:00:1c.0").ShouldBe("pcieport");
        t.Host.DriverOf("0000:03:00.0").ShouldBe("vfio-pci");
        t.Host.Writes().Select(w => w.Short).ShouldAllBe(s => !s.StartsWith("0000:00:1c.0/") && !s.Contains("=0000:00:1c.0"));
    }

    [Fact]
    public async Task A_device_already_on_vfio_needs_no_write_and_an_unbound_one_stays_unbound_after_restore()
    {
        using var t = new TestHost(b => b
            .Device(new DeviceSpec("0000:07:00.0") { Driver = "vfio-pci" })
            .Device(new DeviceSpec("0000:07:00.1") { Driver = null, SameGroupAs = "0000:07:00.0" }));
        var group = t.GroupOf("0000:07:00.0");
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        t.Host.Writes().Select(w => w.Short).ShouldBe(["0000:07:00.1/driver_override=vfio-pci", "drivers_probe=0000:07:00.1"]);
        await t.Binder().RestoreAsync(group, "sb1", CancellationToken.None);
        t.Host.DriverOf("0000:07:00.0").ShouldBe("vfio-pci");
        t.Host.DriverOf("0000:07:00.1").ShouldBeNull();
        t.Host.OverrideOf("0000:07:00.1").ShouldBeNull();
    }

    [Fact]
    public async Task Binding_twice_for_the_same_sandbox_is_idempotent()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf(Vf);
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        t.Host.ClearWrites();
        var again = await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        again.Functions.Single().Driver.ShouldBe("vfio-pci");
        t.Host.Writes().ShouldBeEmpty();
        t.Journal.Load(group)!.Members.Single().OriginalDriver.ShouldBe("ixgbevf");
    }

    [Fact]
    public async Task A_refused_group_costs_no_write_and_no_claim()
    {
        using var t = new TestHost(TestHost.Typical);
        var e = await Should.ThrowAsync<GroupNotAssignableException>(() => t.Binder().BindAsync(t.GroupOf("0000:3b:00.0"), "sb1", CancellationToken.None));
        e.Message.ShouldContain("ens1f0");
        t.Host.Writes().ShouldBeEmpty();
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Allow_host_devices_takes_an_up_nic()
    {
        using var t = new TestHost(b => b.Nic("0000:05:00.0", ifName: "eno1", up: true));
        var binder = t.Binder(options: TestHost.FastOptions with { AllowHostDevices = true });
        await binder.BindAsync(t.GroupOf("0000:05:00.0"), "sb1", CancellationToken.None);
        t.Host.DriverOf("0000:05:00.0").ShouldBe("vfio-pci");
    }

    [Fact]
    public async Task Vfio_pci_missing_is_refused_before_any_write()
    {
        using var t = new TestHost(b => b.WithoutVfioPci(installed: true).Nic("0000:05:00.0"));
        var e = await Should.ThrowAsync<InvalidOperationException>(() => t.Binder().BindAsync(t.GroupOf("0000:05:00.0"), "sb1", CancellationToken.None));
        e.Message.ShouldContain("vfio-pci is not loaded");
        t.Host.Writes().ShouldBeEmpty();
    }

    [Fact]
    public async Task Two_sandboxes_never_share_a_group()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf(Vf);
        await t.Binder().BindAsync(group, "sb1", CancellationToken.None);
        t.Host.ClearWrites();
        var e = await Should.ThrowAsync<GroupClaimedException>(() => t.Binder().BindAsync(group, "sb2", CancellationToken.None));
        e.Message.ShouldContain("sb1");
        var inv = PciInventory.Read(t.Root);
        InventoryReport.ToTable(inv.Facts, InventoryReport.Build(inv), t.Ledger.Snapshot()).ShouldContain("claimed by sandbox sb1");
        t.Host.Writes().ShouldBeEmpty();
        await Should.ThrowAsync<GroupClaimedException>(() => t.Binder().RestoreAsync(group, "sb2", CancellationToken.None));
        t.Host.DriverOf(Vf).ShouldBe("vfio-pci");
    }

    [Fact]
    public async Task Concurrent_claims_of_one_group_have_exactly_one_winner()
    {
        using var t = new TestHost(b => b);
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try { await new ClaimLedger(t.State).ClaimAsync(5, $"sb{i}", CancellationToken.None); return true; }
            catch (GroupClaimedException) { return false; }
        })).ToList();
        (await Task.WhenAll(attempts)).Count(won => won).ShouldBe(1);
        (await t.Ledger.ListAsync(CancellationToken.None)).Single().Group.ShouldBe(5);
    }

    [Fact]
    public async Task Claims_survive_a_restart_and_are_released_by_their_owner_only()
    {
        using var t = new TestHost(b => b);
        await new ClaimLedger(t.State).ClaimAsync(7, "sb1", CancellationToken.None);
        var reopened = new ClaimLedger(t.State);
        (await reopened.ListAsync(CancellationToken.None)).Single().SandboxId.ShouldBe("sb1");
        (await reopened.ReleaseAsync(7, "sb2", CancellationToken.None)).ShouldBeFalse();
        (await reopened.ReleaseAsync(7, "sb1", CancellationToken.None)).ShouldBeTrue();
        await Should.ThrowAsync<ArgumentException>(() => reopened.ClaimAsync(7, "../evil", CancellationToken.None));
    }

    [Fact]
    public async Task The_ledger_lock_times_out_with_a_clear_message()
    {
        using var t = new TestHost(b => b);
        Directory.CreateDirectory(t.State);
        using var held = new FileStream(Path.Combine(t.State, "claims.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var e = await Should.ThrowAsync<TimeoutException>(() => new ClaimLedger(t.State, TimeSpan.FromMilliseconds(100)).ClaimAsync(1, "sb1", CancellationToken.None));
        e.Message.ShouldContain("claims.lock");
    }

    [Theory]
    [InlineData(Errno.EBUSY, "driver_override")]
    [InlineData(Errno.ENODEV, "unbind")]
    [InlineData(Errno.EACCES, "drivers_probe")]
    public async Task Write_errors_surface_with_their_errno_and_everything_is_rolled_back(Errno errno, string step)
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        var group = t.GroupOf("0000:65:00.0");
        // Fail on the second member so the first one has to be rolled back.
        t.Host.SetFaults(new FaultPlan { WriteFaults = [new WriteFault(errno, PathContains: step, Bdf: "0000:65:00.1")] });
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder().BindAsync(group, "sb1", CancellationToken.None));
        e.RolledBack.ShouldBeTrue();
        var io = e.InnerException.ShouldBeOfType<SysfsWriteException>();
        io.Errno.ShouldBe(errno);
        io.HResult.ShouldBe((int)errno);
        e.Message.ShouldContain(errno.ToString());
        t.Host.Snapshot().ShouldBe(before);
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_probe_that_binds_nothing_is_detected_and_rolled_back()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        t.Host.SetFaults(new FaultPlan { ProbeBindsNothing = [Vf] });
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder().BindAsync(t.GroupOf(Vf), "sb1", CancellationToken.None));
        var v = e.InnerException.ShouldBeOfType<DriverVerificationException>();
        v.Device.ToString().ShouldBe(Vf);
        v.Message.ShouldContain("vfio-pci did not claim it");
        // The rollback also probes, which the fault keeps failing: the rollback reports it and the journal keeps the entry.
        e.RolledBack.ShouldBeFalse();
        t.Journal.List().Single().State.ShouldBe(BindingState.Restoring);
        t.Host.SetFaults(new FaultPlan());
        var report = await t.Reconciler().ReconcileAsync(ReconcileScope.All, dryRun: false, CancellationToken.None);
        report.Succeeded.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task A_vfio_node_that_never_appears_names_the_path_and_is_rolled_back()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        var group = t.GroupOf(Vf);
        t.Host.SetFaults(new FaultPlan { VfioNodeNeverAppears = [group] });
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder().BindAsync(group, "sb1", CancellationToken.None));
        e.InnerException.ShouldBeOfType<TimeoutException>().Message.ShouldContain($"dev/vfio/{group}");
        e.RolledBack.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task A_driver_that_regrabs_once_is_unbound_again()
    {
        using var t = new TestHost(TestHost.Typical);
        t.Host.SetFaults(new FaultPlan { Regrabs = [new Regrab(Vf, "ixgbevf", Times: 1)] });
        await t.Binder().BindAsync(t.GroupOf(Vf), "sb1", CancellationToken.None);
        t.Host.DriverOf(Vf).ShouldBe("vfio-pci");
        t.Host.Writes().Count(w => w.Short == $"ixgbevf/unbind={Vf}").ShouldBe(2);
    }

    [Fact]
    public async Task A_driver_that_keeps_regrabbing_fails_the_bind_naming_it()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        t.Host.SetFaults(new FaultPlan { Regrabs = [new Regrab(Vf, "ixgbevf", Times: 5)] });
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder().BindAsync(t.GroupOf(Vf), "sb1", CancellationToken.None));
        var v = e.InnerException.ShouldBeOfType<DriverVerificationException>();
        v.Actual.ShouldBe("ixgbevf");
        v.Message.ShouldContain("re-grabbed");
        e.RolledBack.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Cancellation_mid_bind_rolls_back()
    {
        using var t = new TestHost(TestHost.Typical);
        var before = t.Host.Snapshot();
        using var cts = new CancellationTokenSource();
        var writer = new RecordingWriter(t.Host.Writer(), (_, _) => cts.Cancel());
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder(writer).BindAsync(t.GroupOf("0000:65:00.0"), "sb1", cts.Token));
        e.InnerException.ShouldBeAssignableTo<OperationCanceledException>();
        e.RolledBack.ShouldBeTrue();
        t.Host.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Every_write_is_preceded_by_a_durable_intent_in_the_journal()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf("0000:65:00.0");
        var journal = t.Journal;
        var checkedWrites = 0;
        var writer = new RecordingWriter(t.Host.Writer(), (path, _) =>
        {
            var record = journal.Load(group).ShouldNotBeNull();
            record.Members.ShouldContain(m => m.Phase == StepPhase.Intent && path.Contains(m.Bdf) || m.Phase == StepPhase.Intent && path.EndsWith("drivers_probe") || m.Phase == StepPhase.Intent && path.EndsWith("unbind"));
            record.Members.Select(m => m.OriginalDriver).ShouldBe(["nouveau", "snd_hda_intel"]);
            checkedWrites++;
        });
        await t.Binder(writer).BindAsync(group, "sb1", CancellationToken.None);
        await t.Binder(writer).RestoreAsync(group, "sb1", CancellationToken.None);
        checkedWrites.ShouldBe(14);
    }
    [Fact]
    public async Task A_lagging_vfio_node_is_waited_for_within_the_deadline()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf(Vf);
        // devtmpfs/udev lag: the node is not created by the bind itself but shortly after, by someone else.
        t.Host.SetFaults(new FaultPlan { VfioNodeNeverAppears = [group] });
        var binder = t.Binder(options: TestHost.FastOptions with { DevNodeTimeout = TimeSpan.FromSeconds(20) });
        var bind = binder.BindAsync(group, "sb1", CancellationToken.None);
        SpinWait.SpinUntil(() => t.Host.DriverOf(Vf) == "vfio-pci", TimeSpan.FromSeconds(20)).ShouldBeTrue();
        bind.IsCompleted.ShouldBeFalse();
        await File.WriteAllBytesAsync(Path.Combine(t.Host.Root, $"dev/vfio/{group}"), []);
        (await bind.WaitAsync(TimeSpan.FromSeconds(20))).VfioDevicePath.ShouldEndWith($"dev/vfio/{group}");
    }

    [Fact]
    public async Task A_device_hot_removed_mid_bind_fails_the_bind_and_the_rollback_skips_it()
    {
        using var t = new TestHost(TestHost.Typical);
        var group = t.GroupOf(Vf);
        t.Host.SetFaults(new FaultPlan { HotRemovals = [new HotRemoval(Vf, AfterWrites: 1)] });
        var e = await Should.ThrowAsync<GroupBindException>(() => t.Binder().BindAsync(group, "sb1", CancellationToken.None));
        e.InnerException.ShouldBeOfType<SysfsWriteException>().Errno.ShouldBe(Errno.ENODEV);
        e.RolledBack.ShouldBeTrue();
        t.Host.Exists(Vf).ShouldBeFalse();
        t.Journal.List().ShouldBeEmpty();
        (await t.Ledger.ListAsync(CancellationToken.None)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    public async Task Sandbox_ids_are_validated(string id)
    {
        using var t = new TestHost(TestHost.Typical);
        await Should.ThrowAsync<ArgumentException>(() => t.Binder().BindAsync(t.GroupOf(Vf), id, CancellationToken.None));
        t.Host.Writes().ShouldBeEmpty();
    }
}
