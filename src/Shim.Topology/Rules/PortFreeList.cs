namespace Shim.Topology;

/// <summary>
/// Lowest-free-first allocation keyed by port id: the same input always yields the same ports (W9). Built fresh
/// for each planning or allocation step (ports are only taken here), so a per-type cursor that only moves forward
/// finds the lowest free port without rescanning.
/// </summary>
internal sealed class PortFreeList
{
    private readonly IReadOnlyList<PortSlot> _ports;
    private readonly bool[] _taken;
    private readonly Dictionary<PortType, int> _cursor = [];

    public PortFreeList(IReadOnlyList<PortSlot> ports, IEnumerable<string> taken)
    {
        _ports = ports;
        _taken = new bool[ports.Count];
        var held = taken as IReadOnlySet<string> ?? new HashSet<string>(taken, StringComparer.Ordinal);
        if (held.Count > 0)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                _taken[i] = held.Contains(ports[i].Id);
            }
        }
    }

    public PortSlot? TakeLowest(PortType type)
    {
        _cursor.TryGetValue(type, out var i);
        for (; i < _ports.Count; i++)
        {
            if (_ports[i].Type == type && !_taken[i])
            {
                _taken[i] = true;
                _cursor[type] = i + 1;
                return _ports[i];
            }
        }

        _cursor[type] = _ports.Count;
        return null;
    }

    public int Total(PortType type) => _ports.Count(p => p.Type == type);
}
