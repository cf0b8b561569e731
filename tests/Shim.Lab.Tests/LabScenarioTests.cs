namespace Shim.Lab.Tests;

/// <summary>
/// The real-kernel lab scenarios (hack/lab/scenarios), each in its own QEMU TCG guest. One class, so xunit runs
/// them one after another: 2 host cores fit one TCG guest with 2 vCPUs well, and the whole tier stays under
/// 10 minutes.
/// </summary>
[Trait("Category", "Lab")]
public class LabScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(7);

    private async Task<LabResult> Run(string scenario)
    {
        var result = await LabRunner.RunScenarioAsync(scenario, Deadline);
        output.WriteLine(result.Output);
        output.WriteLine($"elapsed {result.Elapsed.TotalSeconds:F1} s");
        result.Fails.ShouldBeEmpty(result.Output);
        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain($"lab-run: PASS {scenario}", Case.Sensitive, result.Output);
        return result;
    }

    [Fact]
    public async Task Inventory_matches_the_kernels_groups_vfs_and_bridge_group()
    {
        var r = await Run("01-inventory.sh");
        foreach (var check in new[]
                 {
                     "inventory-before-groups", "inventory-before-no-vfs", "sriov-vfs-created", "inventory-groups",
                     "inventory-drivers", "inventory-pf-vfs", "vf-group-apart-from-pf", "inventory-bridge-group", "inventory-e1000e-ids",
                 })
            r.Passed(check).ShouldBeTrue($"no PASS {check} line in:\n{r.Output}");
        r.Passes.Count(l => l.StartsWith("PASS inventory-vf-physfn-", StringComparison.Ordinal)).ShouldBe(2, r.Output);
        r.Passes.Count(l => l.StartsWith("PASS inventory-vf-own-group-", StringComparison.Ordinal)).ShouldBe(2, r.Output);
    }

    [Fact]
    public async Task Vf_and_nic_groups_bind_to_vfio_pci_and_kataplug_restore_returns_them()
    {
        var r = await Run("02-bind-restore.sh");
        foreach (var check in new[]
                 {
                     "bind-vf-exit 0", "bind-nic-exit 0", "bind-vf-driver vfio-pci", "bind-nic-driver vfio-pci", "bind-journaled", "dev-vfio-container", "inventory-sees-vfio", "restore-exit 0",
                     "restore-vf-driver null", "restore-nic-driver e1000e", "restore-netdev-back", "restore-journal-empty",
                 })
            r.Passed(check).ShouldBeTrue($"no PASS {check} line in:\n{r.Output}");
        r.Passes.Count(l => l.StartsWith("PASS dev-vfio-", StringComparison.Ordinal) && l.EndsWith("char device", StringComparison.Ordinal)).ShouldBe(2, r.Output);
    }

    [Fact]
    public async Task Kataplug_bind_killed_at_a_chosen_write_step_is_undone_by_kataplug_restore()
    {
        var r = await Run("03-crash-restore.sh");
        foreach (var check in new[]
                 {
                     "members-share-group", "killed-mid-bind 137", "crashed-journal Binding", "crashed-m1 vfio-pci", "crashed-m2 null", "dry-run-exit 0", "dry-run-wrote-nothing",
                     "restore-exit 0", "restore-m1 e1000e", "restore-m2 e1000e", "restore-overrides", "restore-journal-empty",
                 })
            r.Passed(check).ShouldBeTrue($"no PASS {check} line in:\n{r.Output}");
    }

    [Fact]
    public async Task Nic_from_a_pod_netns_cold_plugs_into_a_nested_qemu_through_real_vfio_and_is_restored()
    {
        var r = await Run("04-netns-nested-qemu.sh");
        foreach (var check in new[]
                 {
                     "netdev-in-pod-netns", "plan-exit 0", "plan-discovered-by-plugin", "plan-device-line", "bind-exit 0", "bind-driver vfio-pci", "netdev-gone-from-pod", "nested-qemu-exit 0", "hotplug-add ok", "hotplug-unplug-event hot1", "hotplug-readd ok", "hotplug-qemu-exit 0", "nested-qemu-device-host",
                     "nested-qemu-device-on-root-port", "nested-qemu-quit-event", "restore-exit 0", "restore-driver e1000e",
                     "netdev-back-in-root-netns", "netdev-not-back-in-pod",
                 })
            r.Passed(check).ShouldBeTrue($"no PASS {check} line in:\n{r.Output}");
    }

    [Fact]
    public async Task Preflight_refuses_a_pf_with_vfs_and_an_up_host_nic_and_leaves_sysfs_unchanged()
    {
        var r = await Run("05-preflight.sh");
        foreach (var check in new[]
                 {
                     "plan-refuses-exit 2", "plan-names-pf-problem", "plan-names-up-nic-problem", "sysfs-unchanged-after-refusal",
                     "plan-accepts-vf-exit 0", "plan-vf-qemu-args", "sysfs-unchanged-after-plan",
                 })
            r.Passed(check).ShouldBeTrue($"no PASS {check} line in:\n{r.Output}");
    }
}
