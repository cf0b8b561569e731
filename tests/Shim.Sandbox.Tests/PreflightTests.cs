using Shim.Configuration;
using Shim.Sandbox.Preflight;

namespace Shim.Sandbox.Tests;

public sealed class PreflightTests : IDisposable
{
    private readonly EmulatedPod _pod = new();

    public void Dispose() => _pod.Dispose();

    [Fact]
    public async Task A_vf_on_enough_root_ports_is_planned_cold_with_its_vfio_device_line()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 2");
        var result = await _pod.PreflightAsync(config, devices: _pod.Vfs[0]);

        result.ProblemLines.ShouldBeEmpty();
        result.Succeeded.ShouldBeTrue();
        var plan = result.Topology.Plan!;
        plan.DeviceArguments.ShouldContain(a => a.StartsWith("vfio-pci,", StringComparison.Ordinal) && a.Contains($"host={_pod.Vfs[0]}") && a.Contains("bus=rp0"));
    }

    [Fact]
    public async Task Too_few_root_ports_names_the_key_and_the_smallest_value_that_works()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 0");
        var result = await _pod.PreflightAsync(config, devices: _pod.Vfs[0]);

        result.Succeeded.ShouldBeFalse();
        result.ProblemLines.ShouldContain($"device ({_pod.Vfs[0]}): needs a root port; pcie_root_port = 0 — set pcie_root_port >= 1 in [hypervisor.qemu]");
    }

    [Fact]
    public async Task A_gpu_takes_its_whole_iommu_group_and_every_function_needs_a_port()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 1");
        var result = await _pod.PreflightAsync(config, devices: "0000:65:00.0");

        result.DeviceRequests.Single().Functions.Select(f => f.Bdf).ShouldBe(["0000:65:00.0", "0000:65:00.1"]);
        result.ProblemLines.ShouldContain(p => p.Contains("pcie_root_port >= 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_holding_a_nic_the_host_uses_is_refused_before_anything_is_written()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 4");
        var result = await _pod.PreflightAsync(config, devices: "0000:05:00.0");

        result.Succeeded.ShouldBeFalse();
        result.ProblemLines.ShouldContain(p => p.Contains("eno1", StringComparison.Ordinal) && p.Contains("is up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_function_is_reported_with_where_it_was_looked_for()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 4");
        var result = await _pod.PreflightAsync(config, devices: "0000:99:00.0");

        result.ProblemLines.ShouldContain(p => p.StartsWith("device (0000:99:00.0): no such PCI function under ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kataplug_plan_that_fails_leaves_the_host_byte_for_byte_unchanged_and_exits_2()
    {
        var before = TreeSnapshot.Take(_pod.Root);
        var configFile = Path.Combine(_pod.Root, "..", Path.GetFileName(_pod.Root) + ".toml");
        await File.WriteAllTextAsync(configFile, $"[hypervisor.qemu]\nmachine_type = \"q35\"\ncold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"no-port\"\n[plugins]\nenabled = []\n");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var rc = await OperatorPlan.RunAsync(
                new OperatorPlanOptions(configFile, _pod.Root, [_pod.Vfs[0], "0000:65:00.0"], null, [], Json: false),
                PhysicalConfigurationFileSystem.Instance, output, error, CancellationToken.None);

            rc.ShouldBe(OperatorPlan.Invalid, output.ToString() + error);
            output.ToString().ShouldContain("no-port");
            TreeSnapshot.Diff(before, TreeSnapshot.Take(_pod.Root)).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(configFile);
        }
    }

    [Fact]
    public async Task Kataplug_plan_that_succeeds_writes_nothing_either_and_prints_json()
    {
        var before = TreeSnapshot.Take(_pod.Root);
        var configFile = Path.Combine(Path.GetTempPath(), "kataplug-plan-" + Guid.NewGuid().ToString("N") + ".toml");
        await File.WriteAllTextAsync(configFile, "[hypervisor.qemu]\nmachine_type = \"q35\"\ncold_plug_vfio = \"root-port\"\npcie_root_port = 3\n[plugins]\nenabled = []\n");
        try
        {
            var output = new StringWriter();
            var rc = await OperatorPlan.RunAsync(
                new OperatorPlanOptions(configFile, _pod.Root, ["0000:65:00.0"], null, [], Json: true),
                PhysicalConfigurationFileSystem.Instance, output, new StringWriter(), CancellationToken.None);

            rc.ShouldBe(OperatorPlan.Planned, output.ToString());
            var json = System.Text.Json.Nodes.JsonNode.Parse(output.ToString())!;
            json["succeeded"]!.GetValue<bool>().ShouldBeTrue();
            output.ToString().ShouldContain("host=0000:65:00.1");
            TreeSnapshot.Diff(before, TreeSnapshot.Take(_pod.Root)).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(configFile);
        }
    }

    [Fact]
    public async Task Kataplug_plan_refuses_a_malformed_device_address_with_exit_1()
    {
        var error = new StringWriter();
        var rc = await OperatorPlan.RunAsync(
            new OperatorPlanOptions(null, _pod.Root, ["0000:3b:10.0/../../x"], null, [], Json: false),
            PhysicalConfigurationFileSystem.Instance, new StringWriter(), error, CancellationToken.None);

        rc.ShouldBe(OperatorPlan.CouldNotRun);
        error.ToString().ShouldContain("is not a PCI address");
    }
}
