namespace Shim.Configuration.Tests;

public class ProblemCollectionTests
{
    [Fact]
    public void Every_problem_is_reported_not_only_the_first_in_document_order_of_tables()
    {
        const string toml = """
            [hypervisor.qemu]
            pcie_root_port = 20
            cold_plug_vfio = "rootport"
            default_vcpus = "two"

            [runtime]
            vfio_mode = "gk"

            [agent.kata]
            dial_timeout = -5

            [host]
            state_dir = "run/kataplug"
            sysfs = "/"

            [plugins]
            enabled = ["vfio", "vfio"]
            """;
        var e = Should.Throw<ConfigurationException>(() => TestConfig.Load(toml));
        e.Problems.Select(p => p.ToString()).ShouldBe([
            "test.toml:2:18: [hypervisor.qemu] pcie_root_port = 20: must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them",
            "test.toml:3:18: [hypervisor.qemu] cold_plug_vfio = \"rootport\": must be one of \"no-port\", \"bridge-port\", \"root-port\", \"switch-port\"",
            "test.toml:4:17: [hypervisor.qemu] default_vcpus = \"two\": must be an integer between 0 and 288, not a string",
            "test.toml:7:13: [runtime] vfio_mode = \"gk\": must be one of \"guest-kernel\", \"vfio\"",
            "test.toml:10:16: [agent.kata] dial_timeout = -5: must be between 1 and 3600 seconds",
            "test.toml:13:13: [host] state_dir = \"run/kataplug\": must be an absolute path (starting with '/')",
            "test.toml:14:1: [host] sysfs = \"/\": unknown key in kataplug's [host] table; known keys: sysfs_root, state_dir, allow_host_devices",
            "test.toml:17:11: [plugins] enabled = [\"vfio\", \"vfio\"]: plugin \"vfio\" is listed 2 times; list each plugin once",
        ]);
        e.Problems.Count.ShouldBe(8);
        e.Message.ShouldStartWith("invalid kataplug configuration (8 problems):");
        e.Message.ShouldContain("  test.toml:2:18: [hypervisor.qemu] pcie_root_port = 20");
    }

    [Fact]
    public void A_single_problem_message_is_one_line()
    {
        var e = Should.Throw<ConfigurationException>(() => TestConfig.Load("[runtime]\nvfio_mode = 1\n"));
        e.Message.ShouldBe("invalid kataplug configuration: test.toml:2:13: [runtime] vfio_mode = 1: must be a string (one of \"guest-kernel\", \"vfio\"), not an integer");
    }

    [Fact]
    public void Cross_checks_still_run_when_single_keys_are_wrong()
    {
        var problems = TestConfig.Problems("[hypervisor.qemu]\npcie_root_port = 99\ncold_plug_vfio = \"root-port\"\nhot_plug_vfio = \"switch-port\"\n");
        problems.Count.ShouldBe(2);
        problems.ShouldContain(p => p.Key == "pcie_root_port");
        problems.ShouldContain(p => p.Key == "hot_plug_vfio" && p.Message.Contains("only one of them can be enabled"));
    }
}
