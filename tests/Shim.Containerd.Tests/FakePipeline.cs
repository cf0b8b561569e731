using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Tasks;

namespace Shim.Containerd.Tests;

/// <summary>A pipeline whose outcomes the test chooses; Create can be held open with a gate.</summary>
public sealed class FakePipeline : ISandboxPipeline
{
    public uint CreatePid { get; set; } = 4242;
    public uint StartPid { get; set; } = 4343;
    public Exception? CreateFailure { get; set; }
    public Exception? StartFailure { get; set; }
    public TaskCompletionSource? CreateGate { get; set; }

    /// <summary>Runs inside Start before it returns (e.g. to report an exit while Start is in flight).</summary>
    public Action<string, string>? DuringStart { get; set; }

    public List<SandboxCreateRequest> Creates { get; } = [];
    public List<ExecCreateRequest> Execs { get; } = [];
    public List<(string Id, string ExecId)> Starts { get; } = [];
    public List<(string Id, uint Signal)> Kills { get; } = [];
    public List<(string Id, string ExecId, uint Width, uint Height)> Resizes { get; } = [];
    public List<(string Id, string ExecId)> StdinCloses { get; } = [];
    public List<(string Id, Any Resources)> Updates { get; } = [];
    public List<(string Id, bool Paused)> PauseChanges { get; } = [];
    public List<string> Deletes { get; } = [];
    public Any? Stats { get; set; }

    public async Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        Creates.Add(request);
        if (CreateGate is not null)
        {
            await CreateGate.Task.WaitAsync(cancellationToken);
        }
        return CreateFailure is null ? new SandboxCreated(CreatePid) : throw CreateFailure;
    }

    public Task ExecAsync(ExecCreateRequest request, CancellationToken cancellationToken)
    {
        Execs.Add(request);
        return Task.CompletedTask;
    }

    public Task<uint> StartAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        Starts.Add((taskId, execId));
        if (StartFailure is not null) throw StartFailure;
        DuringStart?.Invoke(taskId, execId);
        return Task.FromResult(StartPid);
    }

    public Task KillAsync(string taskId, string execId, uint signal, bool all, CancellationToken cancellationToken)
    {
        Kills.Add((taskId, signal));
        return Task.CompletedTask;
    }

    public Task ResizePtyAsync(string taskId, string execId, uint width, uint height, CancellationToken cancellationToken)
    {
        Resizes.Add((taskId, execId, width, height));
        return Task.CompletedTask;
    }

    public Task CloseStdinAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        StdinCloses.Add((taskId, execId));
        return Task.CompletedTask;
    }

    public Task UpdateAsync(string taskId, Any resources, CancellationToken cancellationToken)
    {
        Updates.Add((taskId, resources));
        return Task.CompletedTask;
    }

    public Task<Any?> StatsAsync(string taskId, CancellationToken cancellationToken) => Task.FromResult(Stats);

    public Task SetPausedAsync(string taskId, bool paused, CancellationToken cancellationToken)
    {
        PauseChanges.Add((taskId, paused));
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string taskId, string execId, CancellationToken cancellationToken)
    {
        Deletes.Add(execId.Length == 0 ? taskId : $"{taskId}/{execId}");
        return Task.CompletedTask;
    }
}
