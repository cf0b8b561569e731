using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Shim.Benchmarks.ShimProcesses;
using Shim.Containerd.Lifecycle;
using Shim.Containerd.Tasks;
using Shim.Ttrpc;
using Shim.Configuration;
using Shim.PluginHost.Loading;
using Shim.Sandbox.Pipeline;

namespace Shim.Benchmarks;

/// <summary>
/// Create → refusal in-process, warm: <see cref="SandboxPipeline.CreateAsync"/> on the issue-10162 host (emulated
/// sysfs, a real netns whose net1 Multus declares a VF, <c>cold_plug_vfio = hot_plug_vfio = "no-port"</c>), and the
/// daemon's warm-up on the same host. What is left of the 50 ms budget once nothing needs compiling; the cold number
/// is ShimProcessTimings'. Needs root (netns) and the published plugins (out/plugins).
/// </summary>
[MemoryDiagnoser]
public class PreflightRefusalBenchmarks
{
    private RefusalHost host = null!;
    private SandboxPipeline pipeline = null!;
    private SandboxCreateRequest request = null!;
    private PipelineWarmupOptions warmup = null!;

    [GlobalSetup]
    public void Setup()
    {
        var plugins = ShimArtifacts.Locate().PluginsDirectory
            ?? throw new InvalidOperationException("no published plugins in out/plugins: run hack/setup.sh (or set " + ShimArtifacts.PluginsVariable + ")");
        host = new RefusalHost(plugins);
        if (host.Problem is not null)
        {
            throw new InvalidOperationException(host.Problem);
        }
        var bundle = host.Bundle("p1");
        pipeline = new SandboxPipeline(NullLogger.Instance);
        request = new SandboxCreateRequest("p1", "bench", bundle, BundleSpec.Load(bundle), "p1", host.ConfigPath, [],
            new TaskIo("", "", "", false), new DiscardingExitSink());
        warmup = new PipelineWarmupOptions(host.ConfigPath, bundle, PhysicalConfigurationFileSystem.Instance, _ => null, PluginOwnerPolicy.RootOrCurrentUser);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Description = "Create → preflight refusal (issue 10162, warm)")]
    public async Task<string> CreateRefused()
    {
        try
        {
            await pipeline.CreateAsync(request, CancellationToken.None);
        }
        catch (TtrpcException e) when (e.Code == StatusCode.FailedPrecondition)
        {
            return e.Message;
        }
        throw new InvalidOperationException("the no-port configuration must refuse");
    }

    [Benchmark(Description = "daemon warm-up, all steps (warm)")]
    public Task<int> Warmup() => PipelineWarmup.RunAsync(warmup, PluginCatalogCache.Shared, () => false);

    private sealed class DiscardingExitSink : ITaskExitSink
    {
        public void ReportExit(string taskId, string execId, uint exitStatus, DateTimeOffset exitedAt)
        {
        }

        public void ReportOom(string containerId)
        {
        }
    }
}
