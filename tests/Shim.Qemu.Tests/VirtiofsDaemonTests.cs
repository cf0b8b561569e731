using System.Text.Json.Nodes;

namespace Shim.Qemu.Tests;

/// <summary>virtiofsd with a real QEMU 7.2: the guest's kataShared export (QEMU's own C virtiofsd from qemu-system-common).</summary>
[Trait("Category", "Qemu")]
public sealed class VirtiofsDaemonTests
{
    private const string Binary = "/usr/lib/qemu/virtiofsd";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task QemuAttachesTheExportAsVhostUserFs_AndTheDaemonExitsWithQemu()
    {
        File.Exists(Binary).ShouldBeTrue($"{Binary} ships with qemu-system-x86 (qemu-system-common); hack/setup.sh installs it");
        using var dir = new TempDir();
        var shared = Directory.CreateDirectory(dir.File("shared")).FullName;
        var socket = dir.File("vfs.sock");
        await using var daemon = await VirtiofsDaemon.StartAsync(Binary, socket, shared, "auto", Patience, CancellationToken.None);
        File.Exists(socket).ShouldBeTrue();

        var vm = await TestVm.StartAsync(s => s with
        {
            SharedMemory = true, // vhost-user needs guest RAM the daemon can map
            Devices = [ColdPlugDevice.Raw(VirtiofsDaemon.DeviceArgument("char-fs", "kataShared"))],
            ExtraArguments = [.. VirtiofsDaemon.ChardevArguments(socket, "char-fs")],
        });
        await using (vm)
        {
            var tree = await vm.Qmp.ExecuteAsync("human-monitor-command", new JsonObject { ["command-line"] = "info qtree" }, Patience, CancellationToken.None);
            tree!.GetValue<string>().ShouldContain("vhost-user-fs-pci");
            tree.GetValue<string>().ShouldContain("tag = \"kataShared\"");
        }

        // QEMU gone: the daemon saw its vhost-user peer disconnect and ended by itself.
        await daemon.Exited.WaitAsync(Patience);
    }

    [Fact]
    public async Task AMissingBinary_IsRefusedNamingTheKey()
    {
        using var dir = new TempDir();
        var error = await Should.ThrowAsync<QemuConfigurationException>(() =>
            VirtiofsDaemon.StartAsync("/nonexistent/virtiofsd", dir.File("vfs.sock"), dir.Path, "auto", Patience, CancellationToken.None));
        error.Message.ShouldContain("virtio_fs_daemon");
    }

    [Fact]
    public async Task ADaemonThatCannotStart_IsReportedInItsOwnWords()
    {
        using var dir = new TempDir();
        var error = await Should.ThrowAsync<VirtiofsdStartException>(() =>
            VirtiofsDaemon.StartAsync(Binary, dir.File("vfs.sock"), dir.File("no-such-dir"), "auto", Patience, CancellationToken.None));
        error.Message.ShouldContain("exited");
        error.Message.ShouldContain("no-such-dir");
    }
}
