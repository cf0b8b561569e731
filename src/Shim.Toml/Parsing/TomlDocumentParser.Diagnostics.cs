using System.Buffers;

namespace Shim.Toml.Parsing;

// Positions, errors, and how keys, characters and nodes are named in messages.
internal ref partial struct TomlDocumentParser
{
    private string KeyText(int count)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                sb.Append('.');
            var name = _keyParts[i].Name;
            // Hostile keys can be megabytes long; messages show the start.
            sb.Append(QuoteKey(name.Length > 64 ? name[..64] : name));
            if (name.Length > 64)
                sb.Append("...");
        }
        return sb.ToString();
    }

    private string HeaderText(bool arrayOfTables, int parts) =>
        arrayOfTables ? $"array-of-tables header [[{KeyText(parts)}]]" : $"table header [{KeyText(parts)}]";

    internal static string QuoteKey(string key)
    {
        if (key.Length > 0 && key.AsSpan().IndexOfAnyExcept(BareKeyChars) < 0)
            return key;
        var sb = new System.Text.StringBuilder(key.Length + 2).Append('"');
        foreach (var c in key)
        {
            if (c == '"' || c == '\\')
                sb.Append('\\').Append(c);
            else if (char.IsControl(c))
                sb.Append($"\\u{(int)c:X4}");
            else
                sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    private TomlPosition At(int offset) => _positions.At(_src, offset);

    private TomlException Error(int offset, string problem) => new(_sourceName, At(offset), problem);

    /// <summary>The character at <paramref name="offset"/> for messages: 'x', U+000A, or "end of file".</summary>
    private string Describe(int offset)
    {
        if (offset >= _src.Length)
            return "end of file";
        var status = System.Text.Rune.DecodeFromUtf8(_src[offset..], out var rune, out _);
        if (status != OperationStatus.Done)
            return $"byte 0x{_src[offset]:X2}";
        return rune.Value switch
        {
            '\n' => "a newline",
            ' ' => "a space",
            '\t' => "a tab",
            < 0x20 or 0x7F or (>= 0x80 and < 0xA0) => $"U+{rune.Value:X4}",
            _ when System.Text.Rune.IsWhiteSpace(rune) => $"U+{rune.Value:X4} (whitespace other than space and tab)",
            _ => $"'{rune}'",
        };
    }

    private static string Describe(TomlNode? node) => node switch
    {
        TomlTable { Origin: TomlTableOrigin.Inline } => "an inline table",
        TomlTable => "a table",
        TomlArray { IsArrayOfTables: true } => "an array of tables",
        TomlArray => "an array",
        TomlValue { Kind: TomlValueKind.Integer or TomlValueKind.OffsetDateTime } v => $"an {KindName(v.Kind)}",
        TomlValue v => $"a {KindName(v.Kind)}",
        _ => "nothing",
    };

    internal static string KindName(TomlValueKind kind) => kind switch
    {
        TomlValueKind.String => "string",
        TomlValueKind.Integer => "integer",
        TomlValueKind.Float => "float",
        TomlValueKind.Boolean => "boolean",
        TomlValueKind.OffsetDateTime => "offset date-time",
        TomlValueKind.LocalDateTime => "local date-time",
        TomlValueKind.LocalDate => "local date",
        _ => "local time",
    };

    private static string GetString(ReadOnlySpan<byte> utf8) => System.Text.Encoding.UTF8.GetString(utf8);
}
