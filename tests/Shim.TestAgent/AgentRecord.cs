using System.Text.Json.Nodes;
using Google.Protobuf;
using Shim.Agent.Protocol;

namespace Shim.TestAgent;

/// <summary>
/// What the shim asked of the guest that has no process to show for it (network, CPU/memory onlining,
/// container updates, sandbox lifetime): kept in memory and, when a path is given, rewritten as JSON after every change
/// (protobuf JSON names, e.g. <c>devicePath</c>) so an out-of-process test can assert on it.
/// </summary>
public sealed class AgentRecord(string? jsonPath)
{
    private readonly Lock gate = new();
    private readonly List<CreateSandboxRequest> sandboxes = [];
    private readonly List<CreateContainerRequest> containers = [];
    private readonly List<Interface> interfaces = [];
    private readonly List<Route> routes = [];
    private readonly List<ARPNeighbor> neighbors = [];
    private readonly List<OnlineCPUMemRequest> onlineCpuMem = [];
    private readonly List<UpdateContainerRequest> updates = [];
    private int destroyCount;

    public IReadOnlyList<CreateSandboxRequest> Sandboxes => Snapshot(sandboxes);

    /// <summary>Every accepted <c>CreateContainer</c>, with its devices, storages and spec as sent.</summary>
    public IReadOnlyList<CreateContainerRequest> Containers => Snapshot(containers);

    public IReadOnlyList<Interface> Interfaces => Snapshot(interfaces);

    public IReadOnlyList<Route> Routes => Snapshot(routes);

    public IReadOnlyList<ARPNeighbor> Neighbors => Snapshot(neighbors);

    public IReadOnlyList<OnlineCPUMemRequest> OnlineCpuMem => Snapshot(onlineCpuMem);

    /// <summary>Every accepted <c>UpdateContainer</c>, resources as sent.</summary>
    public IReadOnlyList<UpdateContainerRequest> Updates => Snapshot(updates);

    public int DestroySandboxCount { get { lock (gate) { return destroyCount; } } }

    public void Add(CreateSandboxRequest request) => Change(() => sandboxes.Add(request));

    public void Add(Interface nic) => Change(() => interfaces.Add(nic));

    public void Add(CreateContainerRequest request) => Change(() => containers.Add(request));

    public IReadOnlyList<Route> AddRoutes(IEnumerable<Route> added)
    {
        Change(() => routes.AddRange(added));
        return Routes;
    }

    public void AddNeighbors(IEnumerable<ARPNeighbor> added) => Change(() => neighbors.AddRange(added));

    public void Add(OnlineCPUMemRequest request) => Change(() => onlineCpuMem.Add(request));

    public void Add(UpdateContainerRequest request) => Change(() => updates.Add(request));

    public void AddDestroy() => Change(() => destroyCount++);

    public string ToJson()
    {
        lock (gate)
        {
            var root = new JsonObject
            {
                ["createSandbox"] = ToArray(sandboxes),
                ["createContainer"] = ToArray(containers),
                ["interfaces"] = ToArray(interfaces),
                ["routes"] = ToArray(routes),
                ["arpNeighbors"] = ToArray(neighbors),
                ["onlineCpuMem"] = ToArray(onlineCpuMem),
                ["updateContainer"] = ToArray(updates),
                ["destroySandbox"] = destroyCount,
            };
            return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
    }

    private static JsonArray ToArray<T>(List<T> items)
        where T : IMessage
    {
        // Default formatter omits default-valued fields, as proto3 JSON does.
        return new JsonArray([.. items.Select(i => JsonNode.Parse(JsonFormatter.Default.Format(i)))]);
    }

    private IReadOnlyList<T> Snapshot<T>(List<T> list)
    {
        lock (gate)
        {
            return [.. list];
        }
    }

    private void Change(Action change)
    {
        lock (gate)
        {
            change();
            if (jsonPath is not null)
            {
                // Write-then-rename: a reader never sees a half-written file.
                var temp = jsonPath + ".tmp";
                File.WriteAllText(temp, ToJson());
                File.Move(temp, jsonPath, overwrite: true);
            }
        }
    }
}
