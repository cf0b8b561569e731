using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>Reads the keys of one TOML table, records each key it reads, applies annotation overrides,
/// and on <see cref="Finish"/> reports the keys nobody read: ignored in Kata's tables (a real Kata file
/// must load), errors in kataplug's own tables (typos must not pass silently).</summary>
internal sealed class SectionReader
{
    private readonly LoadContext _ctx;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, AnnotationOverride> _overrides = new Dictionary<string, AnnotationOverride>();

    public SectionReader(LoadContext ctx, string section, TomlTable? table, bool strict)
    {
        _ctx = ctx;
        Section = section;
        Table = table;
        Strict = strict;
    }

    public string Section { get; }
    public TomlTable? Table { get; }
    public bool Strict { get; }

    public void SetOverrides(IReadOnlyDictionary<string, AnnotationOverride> overrides) => _overrides = overrides;

    public bool TryGetOverride(string key, out AnnotationOverride value) => _overrides.TryGetValue(key, out value!);

    /// <summary>Marks a key as handled by the caller (e.g. a sub-table read elsewhere).</summary>
    public void MarkRead(string key) => _read.Add(key);

    /// <summary>The file's value for <paramref name="key"/> (validated, reported if invalid), replaced by the
    /// annotation override if there is one (validated the same way).</summary>
    public Setting<T> Read<T>(string key, T defaultValue, Func<RawInput, Parsed<T>> parse, bool allowOverride = true)
    {
        _read.Add(key);
        var result = Setting<T>.Default(defaultValue);
        if (Table is not null && Table.TryGetValue(key, out var node))
        {
            var input = RawInput.FromNode(node, _ctx.SourceName);
            result = Convert(key, input, parse) ?? result;
        }
        if (allowOverride && _overrides.TryGetValue(key, out var ov))
        {
            var input = RawInput.FromAnnotation(ov.AnnotationKey, ov.Text);
            result = Convert(key, input, parse) ?? result;
        }
        return result;
    }

    private Setting<T>? Convert<T>(string key, RawInput input, Func<RawInput, Parsed<T>> parse)
    {
        var parsed = parse(input);
        if (!parsed.Ok)
        {
            _ctx.Problem(input.Origin, Section, key, input.Render(), parsed.Error!);
            return null;
        }
        var origin = parsed.Note is null ? input.Origin : input.Origin with { Note = parsed.Note };
        return new Setting<T>(parsed.Value, origin);
    }

    /// <summary>Reports unread keys (see the class summary).</summary>
    public void Finish()
    {
        if (Table is null) return;
        foreach (var key in Table.Keys)
        {
            if (_read.Contains(key)) continue;
            var origin = ValueOrigin.InFile(_ctx.SourceName, Table.KeyPosition(key));
            if (Strict)
                _ctx.Problem(origin, Section, key, TomlText.Render(Table[key]),
                    $"unknown key in kataplug's {ConfigurationProblem.Bracket(Section)} table; known keys: {string.Join(", ", _read)}");
            else
                _ctx.Ignore(Section, key, origin, "not used by kataplug");
        }
    }
}

/// <summary>An annotation that replaces the value of one TOML key.</summary>
internal sealed record AnnotationOverride(string AnnotationKey, string Text);
