using System.Diagnostics;
using Shim.Containerd.Lifecycle;
using Shim.HostPci;

namespace Shim.Containerd.Tests;

/// <summary>delete's clean-up from disk state only (containerd-shim-v2.md §6.2).</summary>
public sealed class ShimDeleteTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("kpx-").FullName;

    private string Bundle => Path.Combine(root, "b");

    private ShimDelete Delete(string id, StringWriter warnings) =>
        new(new ShimFlags(ShimAction.Delete, "ns", "/c.sock", "", id, Bundle, false, null), Bundle, Path.Combine(root, "s"), warnings);

    [Fact]
    public async Task KillsTheRecordedQemu_OnlyWhenItsStartTimeMatches()
    {
        Directory.CreateDirectory(Bundle);
        using var victim = Process.Start("/bin/sleep", "300");
        using var bystander = Process.Start("/bin/sleep", "300");
        try
        {
            new BundleState("sb", QemuPid: bystander.Id, QemuStartTicks: ChildProcess.StartTicks(bystander.Id) + 1).Save(Bundle);
            var (_, clean) = await Delete("sb", new StringWriter()).RunAsync(CancellationToken.None);
            clean.ShouldBeTrue();
            bystander.HasExited.ShouldBeFalse(); // pid reuse guard: a different process now holds that pid

            new BundleState("sb", QemuPid: victim.Id, QemuStartTicks: ChildProcess.StartTicks(victim.Id)).Save(Bundle);
            var (response, clean2) = await Delete("sb", new StringWriter()).RunAsync(CancellationToken.None);
            clean2.ShouldBeTrue();
            response.ExitStatus.ShouldBe(137u);
            await victim.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            bystander.Kill();
            victim.Kill();
        }
    }

    [Fact]
    public async Task RecordQemu_KeepsTheConfigurationFields_AndDeleteStopsThatQemu()
    {
        Directory.CreateDirectory(Bundle);
        new BundleState("sb", HostPciStateDirectory: "/nonexistent/hostpci", SysfsRoot: "/").Save(Bundle);
        using var qemu = Process.Start("/bin/sleep", "300");
        try
        {
            BundleState.RecordQemu(Bundle, "sb", qemu.Id);
            var state = BundleState.Load(Bundle).ShouldNotBeNull();
            state.HostPciStateDirectory.ShouldBe("/nonexistent/hostpci");
            state.QemuPid.ShouldBe(qemu.Id);
            state.QemuStartTicks.ShouldBe(ChildProcess.StartTicks(qemu.Id));

            (await Delete("sb", new StringWriter()).RunAsync(CancellationToken.None)).Clean.ShouldBeTrue();
            await qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            qemu.Kill();
        }
    }

    [Fact]
    public async Task ReleasesTheSandboxsOrphanedDeviceClaims_AndNobodyElses()
    {
        Directory.CreateDirectory(Bundle);
        var state = Path.Combine(root, "hostpci");
        var ledger = new ClaimLedger(state);
        await ledger.ClaimAsync(11, "sb", CancellationToken.None);
        await ledger.ClaimAsync(12, "other", CancellationToken.None);
        new BundleState("sb", HostPciStateDirectory: state, SysfsRoot: root).Save(Bundle);

        var warnings = new StringWriter();
        var (_, clean) = await Delete("sb", warnings).RunAsync(CancellationToken.None);

        clean.ShouldBeTrue(warnings.ToString());
        (await ledger.ListAsync(CancellationToken.None)).Select(c => (c.Group, c.SandboxId)).ShouldBe([(12, "other")]);
        warnings.ToString().ShouldContain("group 11");
    }

    [Fact]
    public async Task APodContainersDelete_TouchesNothingOfTheSandbox()
    {
        Directory.CreateDirectory(Bundle);
        File.WriteAllText(Path.Combine(Bundle, "config.json"),
            """{"annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":"sb"}}""");
        var state = Path.Combine(root, "hostpci");
        var ledger = new ClaimLedger(state);
        await ledger.ClaimAsync(11, "c1", CancellationToken.None);
        new BundleState("c1", HostPciStateDirectory: state).Save(Bundle);

        var (response, clean) = await Delete("c1", new StringWriter()).RunAsync(CancellationToken.None);
        clean.ShouldBeTrue();
        response.ExitStatus.ShouldBe(137u);
        (await ledger.ListAsync(CancellationToken.None)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task ACorruptStateFile_IsReported_ButDeleteStillAnswers()
    {
        Directory.CreateDirectory(Bundle);
        File.WriteAllText(BundleState.PathIn(Bundle), "{oops");
        var warnings = new StringWriter();
        var (response, clean) = await Delete("sb", warnings).RunAsync(CancellationToken.None);
        clean.ShouldBeFalse();
        response.ExitStatus.ShouldBe(137u);
        warnings.ToString().ShouldContain(BundleState.FileName);
    }

    public void Dispose() => Directory.Delete(root, true);
}
