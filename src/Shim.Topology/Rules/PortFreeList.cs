namespace Shim.Topology;

/// <summary>Lowest-free-first allocation keyed by port id: the same input always yields the same ports (W9).</summary>
internal sealed class PortFreeList
{
    private readonly IReadOnlyList<PortSlot> _ports;
    private readonly HashSet<string> _taken;

    public PortFreeList(IReadOnlyList<PortSlot> ports, IEnumerable<string> taken)
    {
        _ports = ports;
        _taken = new HashSet<string>(taken, StringComparer.Ordinal);
    }

    public PortSlot? TakeLowest(PortType type)
    {
        foreach (var p in _ports)
        {
            if (p.Type == type && _taken.Add(p.Id))
            {
                return p;
            }
        }

        return null;
    }

    public int Total(PortType type) => _ports.Count(p => p.Type == type);

    public IEnumerable<PortSlot> Free(PortType type) => _ports.Where(p => p.Type == type && !_taken.Contains(p.Id));
}
