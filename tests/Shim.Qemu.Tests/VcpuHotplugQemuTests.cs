using System.Text.Json.Nodes;

namespace Shim.Qemu.Tests;

[Trait("Category", "Qemu")]
public sealed class VcpuHotplugQemuTests
{
    private static readonly TimeSpan T = TestVm.Deadline;
    private static readonly SmpTopology Smp = SmpTopology.Flat(1, 4);

    [Fact]
    public async Task Add_creates_vcpus_in_free_slots_and_says_the_guest_did_not_online_them()
    {
        await using var vm = await TestVm.StartAsync(s => s with { Smp = Smp });
        using var cpus = vm.Process.CreateVcpuHotplug();
        var r = await cpus.AddAsync(2, TimeSpan.FromMilliseconds(500), CancellationToken.None);
        r.Requested.ShouldBe(2);
        r.Added.Count.ShouldBe(2);
        r.Onlined.ShouldBeEmpty(); // No guest OS: nobody answers the ACPI insertion.
        r.Complete.ShouldBeFalse();
        r.Error.ShouldBeNull();
        r.Summary.ShouldContain("the guest did not acknowledge vcpu1, vcpu2");
        r.Added.Select(a => a.SocketId).ShouldBe([1, 2]);
        r.Added.ShouldAllBe(a => a.Type == "qemu64-x86_64-cpu");
        cpus.PresentCount.ShouldBe(3);

        var fast = (await vm.Qmp.ExecuteAsync("query-cpus-fast", null, T, CancellationToken.None))!.AsArray();
        fast.Select(c => c!["qom-path"]!.GetValue<string>()).ShouldContain("/machine/peripheral/vcpu2");
        fast.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Beyond_maxcpus_is_refused_before_anything_is_sent()
    {
        await using var vm = await TestVm.StartAsync(s => s with { Smp = Smp });
        using var cpus = new VcpuHotplug(vm.Qmp, Smp, "tcg");
        var ex = await Should.ThrowAsync<VcpuHotplugException>(() => cpus.AddAsync(4, T, CancellationToken.None));
        ex.Message.ShouldContain("exceeds maxcpus=4 (free: 3)");
        (await Should.ThrowAsync<VcpuHotplugException>(() => cpus.AddAsync(0, T, CancellationToken.None))).Message.ShouldContain("at least 1");
        (await Should.ThrowAsync<VcpuHotplugException>(() => cpus.RemoveAsync(1, T, CancellationToken.None))).Message.ShouldContain("only 0 were hot-added");
        var fast = (await vm.Qmp.ExecuteAsync("query-cpus-fast", null, T, CancellationToken.None))!.AsArray();
        fast.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Slot_taken_behind_our_back_stops_the_add_with_QEMUs_words()
    {
        var smp = SmpTopology.Flat(1, 2);
        await using var vm = await TestVm.StartAsync(s => s with { Smp = smp });
        // Someone else fills the only free slot: the query then shows no free slot.
        await vm.Qmp.ExecuteAsync("device_add", JsonNode.Parse("""{"driver":"qemu64-x86_64-cpu","id":"other","socket-id":1,"core-id":0,"thread-id":0}""")!.AsObject(), T, CancellationToken.None);
        using var cpus = new VcpuHotplug(vm.Qmp, smp, "tcg");
        var ex = await Should.ThrowAsync<VcpuHotplugException>(() => cpus.AddAsync(1, T, CancellationToken.None));
        ex.Message.ShouldContain("QEMU reports 0 free vCPU slots");
    }

    [Fact]
    public async Task Remove_without_a_guest_reports_QEMUs_refusal_and_keeps_the_vcpu()
    {
        await using var vm = await TestVm.StartAsync(s => s with { Smp = Smp });
        using var cpus = new VcpuHotplug(vm.Qmp, Smp, "tcg");
        await cpus.AddAsync(1, TimeSpan.FromMilliseconds(200), CancellationToken.None);
        var r = await cpus.RemoveAsync(1, T, CancellationToken.None);
        r.Complete.ShouldBeFalse();
        r.Removed.ShouldBeEmpty();
        r.Error.ShouldBe("device_del vcpu1 refused by QEMU: acpi: device unplug request for not supported device type: qemu64-x86_64-cpu");
        cpus.PresentCount.ShouldBe(2);
        // A refused unplug does not arm the TCG defect guard: adding still works.
        (await cpus.AddAsync(1, TimeSpan.FromMilliseconds(200), CancellationToken.None)).Added.Count.ShouldBe(1);
    }
}
