using System.Collections.Concurrent;
using Shim.Ttrpc;
using LinuxResources = Shim.Agent.Protocol.LinuxResources;
using OciProcess = Shim.Agent.Protocol.Process;

namespace Shim.TestAgent;

/// <summary>A created container: its init process (exec id = container id) runs at StartContainer; execs run at once.</summary>
public sealed class TestContainer(string id, string rootfs, OciProcess init) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GuestProcess> processes = new(
        [new KeyValuePair<string, GuestProcess>(id, new GuestProcess(id, init, rootfs))]);
    private readonly List<GuestProcess> all = [];

    public string Id { get; } = id;

    public IEnumerable<GuestProcess> Processes => processes.Values;

    /// <summary>The limits in force: the spec's, with every <c>UpdateContainer</c> merged over them.</summary>
    public LinuxResources Resources { get; } = new();

    /// <summary>Every process started in the container and still running.</summary>
    public IReadOnlyList<GuestProcess> Running
    {
        get
        {
            lock (all)
            {
                return [.. all.Where(p => p.IsRunning)];
            }
        }
    }

    public void Start()
    {
        var process = Find(Id) ?? throw new TtrpcException(StatusCode.Internal, $"init process of {Id} is gone");
        Track(process);
        process.Start();
    }

    public void Exec(string execId, OciProcess spec)
    {
        var process = new GuestProcess(execId, spec, rootfs);
        if (execId.Length == 0 || !processes.TryAdd(execId, process))
        {
            _ = process.DisposeAsync().AsTask(); // never started: only frees its pty
            throw new TtrpcException(StatusCode.Internal, $"exec id '{execId}' is empty or already used in {Id}");
        }
        Track(process);
        process.Start();
    }

    public GuestProcess? Find(string execId) => processes.TryGetValue(execId, out var p) ? p : null;

    public void Forget(string execId) => processes.TryRemove(execId, out _);

    private void Track(GuestProcess process)
    {
        lock (all)
        {
            all.Add(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        GuestProcess[] toDispose;
        lock (all)
        {
            toDispose = [.. all.Union(processes.Values)];
        }
        foreach (var process in toDispose)
        {
            await process.DisposeAsync();
        }
        processes.Clear();
    }
}
