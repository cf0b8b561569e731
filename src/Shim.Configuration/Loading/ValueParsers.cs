using System.Collections.Immutable;
using System.Globalization;
using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>Converters from a raw value (TOML node or annotation text) to a typed, range-checked value.
/// Annotations are strings; they are converted with the same rules as the file (Go's ParseBool/ParseInt).</summary>
internal static class ValueParsers
{
    public static Func<RawInput, Parsed<int>> Integer(int min, int max, string? limitNote = null) => input =>
    {
        long value;
        if (input.Node is TomlValue { Kind: TomlValueKind.Integer, Value: long l }) value = l;
        else if (input.Node is not null) return Parsed<int>.Failure($"must be an integer between {min} and {max}, not {TomlText.KindName(input.Node)}");
        else if (!long.TryParse(input.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return Parsed<int>.Failure($"must be an integer between {min} and {max}");
        if (value < min || value > max) return Parsed<int>.Failure($"must be between {min} and {max}{limitNote}");
        return Parsed<int>.Success((int)value);
    };

    public static Parsed<bool> Boolean(RawInput input)
    {
        if (input.Node is TomlValue { Kind: TomlValueKind.Boolean, Value: bool b }) return Parsed<bool>.Success(b);
        if (input.Node is not null) return Parsed<bool>.Failure($"must be true or false, not {TomlText.KindName(input.Node)}");
        // Kata parses boolean annotations with Go's strconv.ParseBool.
        return input.Text switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => Parsed<bool>.Success(true),
            "0" or "f" or "F" or "false" or "FALSE" or "False" => Parsed<bool>.Success(false),
            _ => Parsed<bool>.Failure("must be true or false"),
        };
    }

    /// <summary>A string, checked by <paramref name="validate"/> (returns an error or null).</summary>
    public static Func<RawInput, Parsed<string>> Text(Func<string, string?>? validate = null, string? expected = null) => input =>
    {
        string text;
        if (input.Node is TomlValue { Kind: TomlValueKind.String, Value: string s }) text = s;
        else if (input.Node is not null) return Parsed<string>.Failure($"must be a string{(expected is null ? "" : $" ({expected})")}, not {TomlText.KindName(input.Node)}");
        else text = input.Text ?? "";
        var error = validate?.Invoke(text);
        return error is null ? Parsed<string>.Success(text) : Parsed<string>.Failure(error);
    };

    public static Func<RawInput, Parsed<string>> OneOf(params string[] allowed) =>
        Text(s => allowed.Contains(s, StringComparer.Ordinal) ? null : $"must be one of {AllowedList(allowed)}", $"one of {AllowedList(allowed)}");

    public static Func<RawInput, Parsed<T>> Enum<T>(IReadOnlyDictionary<string, T> names) where T : struct, System.Enum
    {
        var text = Text(s => names.ContainsKey(s) ? null : $"must be one of {AllowedList(names.Keys)}", $"one of {AllowedList(names.Keys)}");
        return input =>
        {
            var r = text(input);
            return r.Ok ? Parsed<T>.Success(names[r.Value]) : Parsed<T>.Failure(r.Error!);
        };
    }

    /// <summary>An absolute path; "" only when <paramref name="allowEmpty"/>.</summary>
    public static Func<RawInput, Parsed<string>> AbsolutePath(bool allowEmpty) => Text(s =>
        s.Length == 0
            ? allowEmpty ? null : "must be an absolute path, not empty"
            : !s.StartsWith('/') ? "must be an absolute path (starting with '/')"
            : s.Contains('\0') ? "must not contain NUL characters"
            : null,
        allowEmpty ? "an absolute path or \"\"" : "an absolute path");

    /// <summary>An array of strings; <paramref name="validateElement"/> returns an error for one element or null.</summary>
    public static Func<RawInput, Parsed<ImmutableArray<string>>> StringList(Func<string, string?>? validateElement = null) => input =>
    {
        if (input.Node is not TomlArray array)
            return Parsed<ImmutableArray<string>>.Failure(input.Node is null
                ? "cannot be set by an annotation"
                : $"must be an array of strings, not {TomlText.KindName(input.Node)}");
        var items = ImmutableArray.CreateBuilder<string>(array.Count);
        var errors = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not TomlValue { Kind: TomlValueKind.String, Value: string s })
            {
                errors.Add($"element {i + 1} ({array[i].Position}) must be a string, not {TomlText.KindName(array[i])}");
                continue;
            }
            var error = validateElement?.Invoke(s);
            if (error is not null) errors.Add($"element {i + 1} {TomlText.Quote(s)} ({array[i].Position}) {error}");
            items.Add(s);
        }
        return errors.Count == 0 ? Parsed<ImmutableArray<string>>.Success(items.ToImmutable()) : Parsed<ImmutableArray<string>>.Failure(string.Join("; ", errors));
    };

    public static string AllowedList(IEnumerable<string> allowed) => string.Join(", ", allowed.Select(TomlText.Quote));
}
