using System.Collections;
using System.Globalization;

namespace Shim.Abstractions;

/// <summary>
/// A plugin's own settings table (<c>[plugins.&lt;name&gt;]</c>), as plain values: string, long, double, bool,
/// <see cref="IReadOnlyList{T}"/> of values, or nested <see cref="IReadOnlyDictionary{TKey,TValue}"/> tables.
/// Typed getters fail with a <see cref="PluginSettingsException"/> that names the full key and the value found.
/// </summary>
public sealed class PluginSettings : IReadOnlyDictionary<string, object>
{
    private readonly IReadOnlyDictionary<string, object> _values;

    public PluginSettings(IReadOnlyDictionary<string, object> values, string keyPrefix)
    {
        _values = values;
        KeyPrefix = keyPrefix;
    }

    public static PluginSettings Empty(string keyPrefix) => new(new Dictionary<string, object>(), keyPrefix);

    /// <summary>Where this table sits in the configuration, e.g. <c>plugins.physical-vf</c>; used in messages.</summary>
    public string KeyPrefix { get; }

    public string FullKey(string key) => KeyPrefix.Length == 0 ? key : KeyPrefix + "." + key;

    public string GetString(string key, string defaultValue) => TryGet(key, out var v) ? AsString(key, v) : defaultValue;

    public string? GetOptionalString(string key) => TryGet(key, out var v) ? AsString(key, v) : null;

    public bool GetBool(string key, bool defaultValue)
    {
        if (!TryGet(key, out var v)) return defaultValue;
        return v is bool b ? b : throw Wrong(key, v, "a boolean (true or false)");
    }

    public long GetLong(string key, long defaultValue, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!TryGet(key, out var v)) return defaultValue;
        var n = v switch
        {
            long l => l,
            int i => i,
            _ => throw Wrong(key, v, "an integer"),
        };
        if (n < min || n > max)
            throw new PluginSettingsException(FullKey(key), $"{FullKey(key)} = {n} is out of range: allowed {min}..{max}");
        return n;
    }

    public IReadOnlyList<string> GetStringList(string key)
    {
        if (!TryGet(key, out var v)) return [];
        if (v is string s) return [s];
        if (v is not IEnumerable list || v is IReadOnlyDictionary<string, object>) throw Wrong(key, v, "a list of strings");
        var result = new List<string>();
        foreach (var item in list)
            result.Add(item as string ?? throw Wrong(key, item, "a list of strings"));
        return result;
    }

    /// <summary>A list of tables (<c>[[plugins.x.include]]</c>), each wrapped as settings with its own key prefix.</summary>
    public IReadOnlyList<PluginSettings> GetTableList(string key)
    {
        if (!TryGet(key, out var v)) return [];
        if (v is IReadOnlyDictionary<string, object> single) return [new PluginSettings(single, FullKey(key))];
        if (v is not IEnumerable list) throw Wrong(key, v, "a list of tables");
        var result = new List<PluginSettings>();
        var index = 0;
        foreach (var item in list)
        {
            if (item is not IReadOnlyDictionary<string, object> table) throw Wrong(key, item, "a list of tables");
            result.Add(new PluginSettings(table, $"{FullKey(key)}[{index++}]"));
        }
        return result;
    }

    public PluginSettings GetTable(string key)
    {
        if (!TryGet(key, out var v)) return Empty(FullKey(key));
        return v is IReadOnlyDictionary<string, object> t ? new PluginSettings(t, FullKey(key)) : throw Wrong(key, v, "a table");
    }

    /// <summary>One of a fixed set of strings; the message lists them.</summary>
    public string GetChoice(string key, string defaultValue, params string[] allowed)
    {
        var s = GetString(key, defaultValue);
        if (Array.IndexOf(allowed, s) < 0)
            throw new PluginSettingsException(FullKey(key),
                $"{FullKey(key)} = \"{s}\" is not allowed: use one of {string.Join(", ", allowed.Select(a => "\"" + a + "\""))}");
        return s;
    }

    private bool TryGet(string key, out object value) => _values.TryGetValue(key, out value!);

    private string AsString(string key, object v) => v as string ?? throw Wrong(key, v, "a string");

    private PluginSettingsException Wrong(string key, object? value, string expected) =>
        new(FullKey(key), $"{FullKey(key)} must be {expected}, got {Describe(value)}");

    private static string Describe(object? value) => value switch
    {
        null => "nothing",
        string s => $"the string \"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => $"{value.GetType().Name.ToLowerInvariant()} {f.ToString(null, CultureInfo.InvariantCulture)}",
        IReadOnlyDictionary<string, object> => "a table",
        IEnumerable => "a list",
        _ => value.GetType().Name,
    };

    public object this[string key] => _values[key];
    public IEnumerable<string> Keys => _values.Keys;
    public IEnumerable<object> Values => _values.Values;
    public int Count => _values.Count;
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out object value) => _values.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _values.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
