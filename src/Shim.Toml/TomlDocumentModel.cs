// Public document model of Shim.Toml. Every node keeps where it came from so that callers can report
// "file:line:column" for a value. The parser (TomlParser) produces it; nothing here does I/O.
namespace Shim.Toml;

/// <summary>1-based line and column (in Unicode scalar values) of a node's first character.</summary>
public readonly record struct TomlPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

public enum TomlValueKind
{
    String,
    Integer,
    Float,
    Boolean,
    OffsetDateTime,
    LocalDateTime,
    LocalDate,
    LocalTime,
}

public abstract class TomlNode
{
    protected TomlNode(TomlPosition position) => Position = position;

    /// <summary>Where the value (not its key) starts in the source.</summary>
    public TomlPosition Position { get; }
}

/// <summary>A scalar. <see cref="Value"/> is string, long, double, bool, DateTimeOffset (offset date-time),
/// DateTime (local date-time, Kind=Unspecified), DateOnly or TimeOnly, according to <see cref="Kind"/>.</summary>
public sealed class TomlValue : TomlNode
{
    public TomlValue(TomlValueKind kind, object value, TomlPosition position) : base(position)
    {
        Kind = kind;
        Value = value;
    }

    public TomlValueKind Kind { get; }
    public object Value { get; }

    /// <summary>For date/time kinds: the fractional-second digits as written (for lossless re-encoding); else null.</summary>
    public string? FractionDigits { get; init; }

    public override string ToString() => Value.ToString() ?? "";
}

public sealed class TomlArray : TomlNode, IReadOnlyList<TomlNode>
{
    private readonly List<TomlNode> _items = [];

    public TomlArray(TomlPosition position) : base(position) { }

    public int Count => _items.Count;
    public TomlNode this[int index] => _items[index];
    internal void Add(TomlNode node) => _items.Add(node);
    public IEnumerator<TomlNode> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A table. Keys keep document order. <see cref="KeyPosition"/> gives where each key was written.</summary>
public sealed class TomlTable : TomlNode, IReadOnlyDictionary<string, TomlNode>
{
    private readonly Dictionary<string, TomlNode> _map = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TomlPosition> _keyPositions = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public TomlTable(TomlPosition position) : base(position) { }

    public int Count => _map.Count;
    public TomlNode this[string key] => _map[key];
    public IEnumerable<string> Keys => _order;
    public IEnumerable<TomlNode> Values => _order.Select(k => _map[k]);
    public bool ContainsKey(string key) => _map.ContainsKey(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TomlNode value) => _map.TryGetValue(key, out value);

    /// <summary>Position of the key's first character where it was (last) defined; the table's own position if unknown.</summary>
    public TomlPosition KeyPosition(string key) => _keyPositions.TryGetValue(key, out var p) ? p : Position;

    internal void Add(string key, TomlNode node, TomlPosition keyPosition)
    {
        _map.Add(key, node);
        _keyPositions[key] = keyPosition;
        _order.Add(key);
    }

    public IEnumerator<KeyValuePair<string, TomlNode>> GetEnumerator() =>
        _order.Select(k => new KeyValuePair<string, TomlNode>(k, _map[k])).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A document that is not valid TOML. Message is "source:line:column: what was expected".</summary>
public sealed class TomlException : Exception
{
    public TomlException(string sourceName, TomlPosition position, string problem)
        : base($"{sourceName}:{position.Line}:{position.Column}: {problem}")
    {
        SourceName = sourceName;
        Position = position;
        Problem = problem;
    }

    public string SourceName { get; }
    public TomlPosition Position { get; }
    public string Problem { get; }
}
