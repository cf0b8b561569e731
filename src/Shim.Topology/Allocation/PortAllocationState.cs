using System.Text.Json;

namespace Shim.Topology;

/// <summary>Who holds a port: written into the sandbox state so a restarted shim knows.</summary>
public sealed record PortOccupant(string PortId, string QemuId, string Bdf, string Plugin, string Interface, PlugMode Mode);

/// <summary>
/// The ports of a running sandbox and who holds each. Immutable: allocation returns a new state that the caller
/// persists (JSON, <see cref="ToJson"/>) before it sends <c>device_add</c>, so allocations survive a shim restart.
/// </summary>
/// <param name="Ports">Every pluggable place the topology created, in free-list order (lowest first).</param>
/// <param name="HotPlugType">The sandbox's <c>hot_plug_vfio</c>; hotplug only uses ports of this type.</param>
public sealed record PortAllocationState(int Version, PortType HotPlugType, IReadOnlyList<PortSlot> Ports, IReadOnlyList<PortOccupant> Occupants)
{
    public const int CurrentVersion = 1;

    public static PortAllocationState Empty { get; } = new(CurrentVersion, PortType.NoPort, [], []);

    public string ToJson() => JsonSerializer.Serialize(this, TopologyJsonContext.Default.PortAllocationState);

    public static PortAllocationState FromJson(string json)
    {
        var state = JsonSerializer.Deserialize(json, TopologyJsonContext.Default.PortAllocationState)
            ?? throw new InvalidDataException("port allocation state is 'null'; expected an object with version, hotPlugType, ports, occupants");
        if (state.Version != CurrentVersion)
        {
            throw new InvalidDataException($"port allocation state version {state.Version} is not supported; expected {CurrentVersion}");
        }

        return state;
    }

    /// <summary>Free ports of <paramref name="type"/>, lowest first.</summary>
    public IEnumerable<PortSlot> FreePorts(PortType type)
    {
        var taken = Occupants.Select(o => o.PortId).ToHashSet(StringComparer.Ordinal);
        return Ports.Where(p => p.Type == type && !taken.Contains(p.Id));
    }

    /// <summary>Value equality over the lists (records compare lists by reference).</summary>
    public bool SameAs(PortAllocationState other) =>
        Version == other.Version && HotPlugType == other.HotPlugType
        && Ports.SequenceEqual(other.Ports) && Occupants.SequenceEqual(other.Occupants);
}
