using Google.Protobuf;
using Shim.Containerd.Events;
using Shim.Containerd.Tasks;
using Shim.Ttrpc;

namespace Shim.Containerd.Tests;

/// <summary>Records every published event in order.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    private readonly List<(string Topic, IMessage Message)> events = [];

    public IReadOnlyList<(string Topic, IMessage Message)> Events
    {
        get
        {
            lock (events)
            {
                return [.. events];
            }
        }
    }

    public IReadOnlyList<string> Topics => [.. Events.Select(e => e.Topic)];

    public void Publish(string topic, IMessage message)
    {
        lock (events)
        {
            events.Add((topic, message));
        }
    }

    public Task FlushAsync(TimeSpan timeout) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

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

/// <summary>A short, unique unix socket path in a fresh temp directory (removed on dispose).</summary>
public sealed class TempSocket : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("kpt-").FullName;

    public string Path => System.IO.Path.Combine(directory, "s.sock");

    public string Directory_ => directory;

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
