using Microsoft.Extensions.Logging.Abstractions;
using Shim.Configuration;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos.Types;
using Shim.Containerd.Tasks;
using Shim.Ttrpc;

namespace Shim.Containerd.Tests;

public sealed class ConfigurationOnlyPipelineTests : IDisposable
{
    private readonly string bundle = Directory.CreateTempSubdirectory("kpp-").FullName;

    private SandboxCreateRequest Request(string id, string sandboxId, string? configPath) =>
        new(id, "ns", bundle, BundleSpec.Empty, sandboxId, configPath, Array.Empty<Mount>(), new TaskIo("", "", "", false), new RecordingExitSink());

    private sealed class RecordingExitSink : ITaskExitSink
    {
        public void ReportExit(string taskId, uint exitStatus, DateTimeOffset exitedAt)
        {
        }
    }

    private static ConfigurationOnlyPipeline Pipeline() =>
        new(PhysicalConfigurationFileSystem.Instance, _ => null, NullLogger.Instance);

    [Fact]
    public async Task Create_LoadsTheConfiguration_AndRecordsWhereDeleteMustReconcile()
    {
        var created = await Pipeline().CreateAsync(Request("sb", "sb", ShimBinary.SampleConfiguration), CancellationToken.None);
        created.Pid.ShouldBe((uint)Environment.ProcessId);
        var state = BundleState.Load(bundle).ShouldNotBeNull();
        state.SandboxId.ShouldBe("sb");
        state.HostPciStateDirectory.ShouldBe("/run/kataplug/hostpci"); // = BindingJournal's default and `kataplug restore`'s
        state.SysfsRoot.ShouldBe("/");
        state.ConfigPath.ShouldBe(ShimBinary.SampleConfiguration);
    }

    [Fact]
    public async Task Create_OfAPodContainer_LeavesTheSandboxStateAlone()
    {
        await Pipeline().CreateAsync(Request("c1", "sb", ShimBinary.SampleConfiguration), CancellationToken.None);
        BundleState.Load(bundle).ShouldBeNull();
    }

    [Fact]
    public async Task Create_WithAMissingFile_ThrowsTheConfigurationProblem() =>
        (await Should.ThrowAsync<ConfigurationException>(() => Pipeline().CreateAsync(Request("sb", "sb", "/nonexistent/kataplug.toml"), CancellationToken.None)))
            .Message.ShouldContain("/nonexistent/kataplug.toml");

    [Fact]
    public async Task Start_IsRefusedWithFailedPrecondition()
    {
        var error = await Should.ThrowAsync<TtrpcException>(() => Pipeline().StartAsync("sb", CancellationToken.None));
        error.Code.ShouldBe(StatusCode.FailedPrecondition);
        error.StatusMessage.ShouldBe("containers are not run inside the VM yet");
    }

    public void Dispose() => Directory.Delete(bundle, true);
}
