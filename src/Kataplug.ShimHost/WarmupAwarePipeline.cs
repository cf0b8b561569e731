using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Tasks;
using Shim.Sandbox.Pipeline;

namespace Kataplug.ShimHost;

/// <summary>
/// The daemon's pipeline, telling the warm-up to stand down the moment a Create arrives: from then on the warm-up
/// would only take CPU from the Create it prepared for.
/// </summary>
public sealed class WarmupAwarePipeline(ISandboxPipeline inner, PipelineWarmupRun warmup) : ISandboxPipeline
{
    public Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        warmup.StandDown();
        return inner.CreateAsync(request, cancellationToken);
    }

    public Task ExecAsync(ExecCreateRequest request, CancellationToken cancellationToken) => inner.ExecAsync(request, cancellationToken);

    public Task<uint> StartAsync(string taskId, string execId, CancellationToken cancellationToken) => inner.StartAsync(taskId, execId, cancellationToken);

    public Task KillAsync(string taskId, string execId, uint signal, bool all, CancellationToken cancellationToken) =>
        inner.KillAsync(taskId, execId, signal, all, cancellationToken);

    public Task ResizePtyAsync(string taskId, string execId, uint width, uint height, CancellationToken cancellationToken) =>
        inner.ResizePtyAsync(taskId, execId, width, height, cancellationToken);

    public Task CloseStdinAsync(string taskId, string execId, CancellationToken cancellationToken) => inner.CloseStdinAsync(taskId, execId, cancellationToken);

    public Task UpdateAsync(string taskId, Any resources, CancellationToken cancellationToken) => inner.UpdateAsync(taskId, resources, cancellationToken);

    public Task<Any?> StatsAsync(string taskId, CancellationToken cancellationToken) => inner.StatsAsync(taskId, cancellationToken);

    public Task SetPausedAsync(string taskId, bool paused, CancellationToken cancellationToken) => inner.SetPausedAsync(taskId, paused, cancellationToken);

    public Task DeleteAsync(string taskId, string execId, CancellationToken cancellationToken) => inner.DeleteAsync(taskId, execId, cancellationToken);
}
