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
    public List<SandboxCreateRequest> Creates { get; } = [];
    public List<(string Id, uint Signal)> Kills { get; } = [];
    public List<string> Deletes { get; } = [];

    public async Task<SandboxCreated> CreateAsync(SandboxCreateRequest request, CancellationToken cancellationToken)
    {
        Creates.Add(request);
        if (CreateGate is not null)
        {
            await CreateGate.Task.WaitAsync(cancellationToken);
        }
        return CreateFailure is null ? new SandboxCreated(CreatePid) : throw CreateFailure;
    }

    public Task<uint> StartAsync(string taskId, CancellationToken cancellationToken) =>
        StartFailure is null ? Task.FromResult(StartPid) : throw StartFailure;

    public Task KillAsync(string taskId, uint signal, bool all, CancellationToken cancellationToken)
    {
        Kills.Add((taskId, signal));
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string taskId, CancellationToken cancellationToken)
    {
        Deletes.Add(taskId);
        return Task.CompletedTask;
    }
}
