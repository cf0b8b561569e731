using System.Diagnostics;
using Shim.Qmp;

namespace Shim.Qemu.Tests;

[Trait("Category", "Qemu")]
public sealed class QemuProcessTests
{
    private static readonly TimeSpan T = TestVm.Deadline;

    [Fact]
    public async Task Bad_device_bus_surfaces_QEMUs_own_message_verbatim()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { Devices = [ColdPlugDevice.Raw("vfio-pci,host=0000:84:01.1,bus=nonexistent")] };
        var ex = await Should.ThrowAsync<QemuStartException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.ExitCode.ShouldBe(1);
        ex.QemuError.ShouldBe("qemu-system-x86_64: -device vfio-pci,host=0000:84:01.1,bus=nonexistent: Bus 'nonexistent' not found");
        ex.Message.ShouldContain("Bus 'nonexistent' not found");
        ex.CommandLine.ShouldContain("vfio-pci,host=0000:84:01.1,bus=nonexistent");
    }

    [Theory]
    [InlineData("vfio-pci,host=0000:84:01.1,bus=<unknown PCIePortBusPrefix: >0", "Bus '<unknown PCIePortBusPrefix: >0' not found")]
    [InlineData("vfio-pci,host=0000:84:01.1", "vfio /sys/bus/pci/devices/0000:84:01.1: no such host device: No such file or directory")]
    [InlineData("vfio-pci,host=0000:84:01.1,bus=pcie.0,addr=0x1", "PCI: slot 1 function 0 not available for vfio-pci, in use by pcie-root-port,id=rp0")]
    public async Task Command_line_failures_of_qmp_md_8_2_are_reported_verbatim(string device, string message)
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { Topology = QemuTopology.WithRootPorts(1), Devices = [ColdPlugDevice.Raw(device)] };
        var ex = await Should.ThrowAsync<QemuStartException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.ExitCode.ShouldBe(1);
        ex.QemuError.ShouldBe($"qemu-system-x86_64: -device {device}: {message}");
    }

    [Fact]
    public async Task Warnings_on_stderr_do_not_hide_the_fatal_line()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { Devices = [ColdPlugDevice.Raw("pci-testdev,bus=nowhere")], ExtraArguments = ["-netdev", "user,id=net1"] };
        var ex = await Should.ThrowAsync<QemuStartException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.QemuError.ShouldBe("qemu-system-x86_64: -device pci-testdev,bus=nowhere: Bus 'nowhere' not found");
    }

    [Fact]
    public async Task Absent_host_device_surfaces_the_vfio_message()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with
        {
            Topology = QemuTopology.WithRootPorts(1),
            Devices = [QemuDevice.VfioPci("vfio0", "84:01.1", "rp0")],
        };
        var ex = await Should.ThrowAsync<QemuStartException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.ExitCode.ShouldBe(1);
        ex.QemuError.ShouldBe("qemu-system-x86_64: -device vfio-pci,id=vfio0,bus=rp0,addr=0x0,host=0000:84:01.1: vfio /sys/bus/pci/devices/0000:84:01.1: no such host device: No such file or directory");
    }

    [Fact]
    public async Task Missing_binary_is_a_start_exception_naming_it()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { Binary = "/nonexistent/qemu-system-x86_64" };
        var ex = await Should.ThrowAsync<QemuStartException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.Message.ShouldContain("/nonexistent/qemu-system-x86_64");
    }

    [Fact]
    public async Task Invalid_spec_fails_before_launch()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { Devices = [QemuDevice.Pci("pci-testdev", "t0", "rp7")] };
        var ex = await Should.ThrowAsync<QemuConfigurationException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.Message.ShouldContain("'rp7'");
        File.Exists(spec.QmpSocketPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Missing_socket_directory_is_refused_before_launch()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir) with { QmpSocketPath = dir.File("nope/qmp.sock") };
        var ex = await Should.ThrowAsync<QemuConfigurationException>(() => QemuProcess.StartAsync(spec, T, CancellationToken.None));
        ex.Message.ShouldContain(dir.File("nope"));
    }

    [Fact]
    public async Task Stale_socket_file_is_replaced()
    {
        using var dir = new TempDir();
        var spec = TestVm.Spec(dir);
        await File.WriteAllTextAsync(spec.QmpSocketPath, "stale");
        await using var qemu = await QemuProcess.StartAsync(spec, T, CancellationToken.None);
        qemu.Qmp.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Graceful_stop_quits_with_exit_code_0()
    {
        await using var vm = await TestVm.StartAsync();
        (await vm.Process.StopAsync(T)).ShouldBe(0);
        (await vm.Qmp.Closed.WaitAsync(T)).ShouldBeOfType<QmpConnectionLostException>();
    }

    [Fact]
    public async Task Stop_of_a_hung_QEMU_falls_back_to_SIGKILL_within_the_grace_period()
    {
        await using var vm = await TestVm.StartAsync();
        vm.Signal(TestVm.SIGSTOP);
        var sw = Stopwatch.StartNew();
        var code = await vm.Process.StopAsync(TimeSpan.FromMilliseconds(300));
        code.ShouldBe(128 + TestVm.SIGKILL);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Dispose_ends_the_process_and_removes_the_socket()
    {
        var vm = await TestVm.StartAsync();
        var pid = vm.Process.Pid;
        var socket = vm.Process.Spec.QmpSocketPath;
        await vm.DisposeAsync();
        vm.Process.Exited.IsCompleted.ShouldBeTrue();
        File.Exists(socket).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Eight_instances_start_in_parallel()
    {
        var vms = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TestVm.StartAsync()));
        try
        {
            foreach (var vm in vms)
            {
                var s = await vm.Qmp.ExecuteAsync("query-status", null, T, CancellationToken.None);
                s!["status"]!.GetValue<string>().ShouldBe("prelaunch");
            }
            vms.Select(v => v.Process.Pid).Distinct().Count().ShouldBe(8);
        }
        finally
        {
            foreach (var vm in vms) await vm.DisposeAsync();
        }
    }

    [Fact]
    public async Task Shared_memory_backend_is_a_shared_memfd()
    {
        await using var vm = await TestVm.StartAsync(s => s with { SharedMemory = true, MemoryMiB = 64 });
        var backends = await vm.Qmp.ExecuteAsync("query-memdev", null, T, CancellationToken.None);
        var mem = backends!.AsArray().Single()!;
        mem["id"]!.GetValue<string>().ShouldBe("mem0");
        mem["share"]!.GetValue<bool>().ShouldBeTrue();
        mem["size"]!.GetValue<long>().ShouldBe(64L << 20);
    }
}
