using System.Collections;

namespace Shim.Ttrpc;

/// <summary>
/// Request metadata: ordered key/value pairs where a key may repeat (values accumulate in order).
/// Keys compare case-insensitively, like Go's lowercasing <c>MD</c> (ttrpc.md §6.3). Immutable.
/// </summary>
public sealed class TtrpcMetadata : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] pairs;

    public TtrpcMetadata(IEnumerable<KeyValuePair<string, string>> pairs) => this.pairs = [.. pairs];

    private TtrpcMetadata(KeyValuePair<string, string>[] pairs, bool _) => this.pairs = pairs;

    public static TtrpcMetadata Empty { get; } = new([], false);

    public int Count => pairs.Length;

    public KeyValuePair<string, string> this[int index] => pairs[index];

    /// <summary>A copy with one more pair appended.</summary>
    public TtrpcMetadata With(string key, string value) => new([.. pairs, new(key, value)], false);

    /// <summary>The first value of <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out string value)
    {
        foreach (var pair in pairs)
        {
            if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                value = pair.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    /// <summary>Every value of <paramref name="key"/>, in wire order.</summary>
    public IReadOnlyList<string> GetAll(string key) =>
        [.. pairs.Where(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value)];

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
