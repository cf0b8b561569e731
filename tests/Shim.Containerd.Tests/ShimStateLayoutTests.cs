using Shim.Configuration;
using Shim.Containerd.Tasks;
using Shim.HostPci;

namespace Shim.Containerd.Tests;

public sealed class ShimStateLayoutTests
{
    [Fact]
    public void The_default_state_dir_puts_the_journal_where_kataplug_restore_reads_it()
    {
        var config = ConfigurationLoader.Load("[hypervisor.qemu]\nmachine_type = \"q35\"\n"u8, "test.toml");

        ShimStateLayout.HostPciStateDirectory(config.Host).ShouldBe(BindingJournal.DefaultStateDirectory);
        ShimStateLayout.SandboxStateDirectory(config.Host.StateDir.Value, "sb1").ShouldBe("/run/kataplug/sandboxes/sb1");
    }
}
