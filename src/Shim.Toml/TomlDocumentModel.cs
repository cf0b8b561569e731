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

    /// <summary>Where the value (not its key) starts in the source. For a table defined by a [header],
    /// the header's '['; for a table created by a dotted key or implicitly, the key that created it.</summary>
    public TomlPosition Position { get; private protected set; }
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
    private TomlNode[] _items;
    private int _count;

    public TomlArray(TomlPosition position) : base(position) => _items = [];

    /// <summary>An array value whose elements are all known (sized exactly: no growth garbage).</summary>
    internal TomlArray(TomlPosition position, TomlNode[] items) : base(position)
    {
        _items = items;
        _count = items.Length;
    }

    /// <summary>True for an array of tables built by [[header]]s; false for an array value (which is static:
    /// [[header]] cannot append to it).</summary>
    public bool IsArrayOfTables { get; internal init; }

    public int Count => _count;

    public TomlNode this[int index] =>
        (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"TOML array at {Position} has {_count} elements");

    internal void Add(TomlNode node)
    {
        if (_count == _items.Length)
            Array.Resize(ref _items, _count == 0 ? 4 : _count * 2);
        _items[_count++] = node;
    }

    internal TomlNode Last => _items[_count - 1];

    public Enumerator GetEnumerator() => new(this);
    IEnumerator<TomlNode> IEnumerable<TomlNode>.GetEnumerator() => GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator : IEnumerator<TomlNode>
    {
        private readonly TomlArray _array;
        private int _index;

        internal Enumerator(TomlArray array)
        {
            _array = array;
            _index = -1;
        }

        public readonly TomlNode Current => _array._items[_index];
        readonly object System.Collections.IEnumerator.Current => Current;
        public bool MoveNext() => ++_index < _array._count;
        public void Reset() => _index = -1;
        public readonly void Dispose() { }
    }
}

/// <summary>How a table came to exist; the TOML redefinition rules depend on it.</summary>
public enum TomlTableOrigin
{
    /// <summary>The document itself.</summary>
    Root,
    /// <summary>Created as a parent of a [a.b] / [[a.b]] header; a later [a] may still define it once.</summary>
    Implicit,
    /// <summary>Defined by a [header] (or is an element of an array of tables).</summary>
    Header,
    /// <summary>Created by a dotted key (a.b = 1 creates a).</summary>
    DottedKey,
    /// <summary>An inline table { ... }; closed for any later addition.</summary>
    Inline,
}

/// <summary>A table. Keys keep document order. <see cref="KeyPosition"/> gives where each key was written.</summary>
public sealed class TomlTable : TomlNode, IReadOnlyDictionary<string, TomlNode>
{
    // Small tables (the vast majority) are searched linearly; past this size an open-addressing index
    // (int slots over the entry array, load <= 1/2) keeps lookups O(1) at a fraction of a Dictionary's memory.
    // string.GetHashCode is randomised per process, so crafted keys cannot force collisions.
    private const int IndexThreshold = 16;

    private Entry[] _entries = [];
    private int _count;
    private int[]? _slots; // entry index + 1; 0 = empty; length is a power of two

    public TomlTable(TomlPosition position) : base(position) { }

    internal TomlTable(TomlPosition position, TomlTableOrigin origin) : base(position) => Origin = origin;

    /// <summary>How the table was created (header, dotted key, inline, implicitly).</summary>
    public TomlTableOrigin Origin { get; internal set; } = TomlTableOrigin.Root;

    public int Count => _count;
    public TomlNode this[string key] => TryGetValue(key, out var node) ? node : throw new KeyNotFoundException($"TOML table at {Position} has no key '{key}'");
    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _count; i++)
                yield return _entries[i].Key;
        }
    }

    public IEnumerable<TomlNode> Values
    {
        get
        {
            for (var i = 0; i < _count; i++)
                yield return _entries[i].Node;
        }
    }

    public bool ContainsKey(string key) => Find(key) >= 0;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TomlNode value)
    {
        var i = Find(key);
        if (i < 0)
        {
            value = null;
            return false;
        }
        value = _entries[i].Node;
        return true;
    }

    /// <summary>Position of the key's first character where it was (last) defined; the table's own position if unknown.</summary>
    public TomlPosition KeyPosition(string key)
    {
        var i = Find(key);
        return i < 0 ? Position : _entries[i].KeyPosition;
    }

    internal void Add(string key, TomlNode node, TomlPosition keyPosition)
    {
        if (_count == _entries.Length)
            Array.Resize(ref _entries, _count == 0 ? 4 : _count * 2);
        _entries[_count] = new Entry(key, node, keyPosition);
        _count++;
        if (_slots is not null && _count * 2 <= _slots.Length)
            Index(_slots, _count - 1);
        else if (_count > IndexThreshold)
            Reindex(_slots is null ? 64 : _slots.Length * 2);
    }

    private void Reindex(int size)
    {
        _slots = new int[size];
        for (var i = 0; i < _count; i++)
            Index(_slots, i);
    }

    private void Index(int[] slots, int entry)
    {
        var mask = slots.Length - 1;
        var h = _entries[entry].Key.GetHashCode() & mask;
        while (slots[h] != 0)
            h = (h + 1) & mask;
        slots[h] = entry + 1;
    }

    /// <summary>An implicitly created table gets its definition: record where.</summary>
    internal void Define(TomlTableOrigin origin, TomlPosition position)
    {
        Origin = origin;
        Position = position;
    }

    internal void SetKeyPosition(string key, TomlPosition keyPosition)
    {
        var i = Find(key);
        if (i >= 0)
            _entries[i] = _entries[i] with { KeyPosition = keyPosition };
    }

    private int Find(string key)
    {
        if (_slots is not null)
        {
            var mask = _slots.Length - 1;
            for (var h = key.GetHashCode() & mask; ; h = (h + 1) & mask)
            {
                var slot = _slots[h];
                if (slot == 0)
                    return -1;
                if (string.Equals(_entries[slot - 1].Key, key, StringComparison.Ordinal))
                    return slot - 1;
            }
        }
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    public IEnumerator<KeyValuePair<string, TomlNode>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return new KeyValuePair<string, TomlNode>(_entries[i].Key, _entries[i].Node);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private readonly record struct Entry(string Key, TomlNode Node, TomlPosition KeyPosition);
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
