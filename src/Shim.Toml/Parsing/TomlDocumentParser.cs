using System.Buffers;

namespace Shim.Toml.Parsing;

/// <summary>Single-pass TOML 1.0.0 parser over UTF-8 bytes that are already known to be valid UTF-8.
/// Expressions, keys and the table redefinition rules live here; values are in the other partial files.</summary>
internal ref partial struct TomlDocumentParser
{
    /// <summary>Deepest nesting of tables and arrays accepted, against hostile input.</summary>
    public const int MaxDepth = 128;

    private static readonly SearchValues<byte> BareKeyBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"u8);

    private static readonly SearchValues<char> BareKeyChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    // Bytes a comment may not contain (control characters other than tab); '\r' is checked for CRLF.
    private static readonly SearchValues<byte> CommentStop = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F"u8);

    private readonly ReadOnlySpan<byte> _src;
    private readonly string _sourceName;
    private int _pos;
    private SourcePositions _positions;
    private readonly List<KeyPart> _keyParts;
    private readonly List<TomlNode> _elements;
    private byte[]? _scratch;
    private int _scratchLength;

    public TomlDocumentParser(ReadOnlySpan<byte> source, string sourceName)
    {
        _src = source;
        _sourceName = sourceName;
        _keyParts = new List<KeyPart>(8);
        _elements = new List<TomlNode>(16);
    }

    private readonly record struct KeyPart(string Name, int Offset);

    public TomlTable ParseDocument()
    {
        try
        {
            var root = new TomlTable(new TomlPosition(1, 1), TomlTableOrigin.Root);
            var section = root;
            var sectionDepth = 0;
            while (true)
            {
                SkipWhitespace();
                if (_pos >= _src.Length)
                    return root;
                switch (_src[_pos])
                {
                    case (byte)'\n':
                        _pos++;
                        continue;
                    case (byte)'\r':
                    case (byte)'#':
                        ExpectLineEnd("");
                        continue;
                    case (byte)'[':
                        (section, sectionDepth) = ParseHeader(root);
                        ExpectLineEnd(" after table header");
                        continue;
                    default:
                        ParseKeyValue(section, sectionDepth);
                        ExpectLineEnd(" after value");
                        continue;
                }
            }
        }
        finally
        {
            if (_scratch is not null)
                ArrayPool<byte>.Shared.Return(_scratch);
        }
    }

    // ---- lexical helpers ----

    private void SkipWhitespace()
    {
        while (_pos < _src.Length && (_src[_pos] == (byte)' ' || _src[_pos] == (byte)'\t'))
            _pos++;
    }

    /// <summary>Whitespace, comments and newlines (inside arrays).</summary>
    private void SkipWhitespaceCommentsNewlines()
    {
        while (_pos < _src.Length)
        {
            switch (_src[_pos])
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n':
                    _pos++;
                    break;
                case (byte)'\r':
                    ExpectNewline();
                    break;
                case (byte)'#':
                    SkipComment();
                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>After an expression: optional whitespace and comment, then a newline or the end.</summary>
    private void ExpectLineEnd(string context)
    {
        SkipWhitespace();
        if (_pos < _src.Length && _src[_pos] == (byte)'#')
            SkipComment();
        if (_pos >= _src.Length)
            return;
        if (_src[_pos] == (byte)'\n' || _src[_pos] == (byte)'\r')
        {
            ExpectNewline();
            return;
        }
        throw Error(_pos, $"expected a newline or end of file{context}, found {Describe(_pos)}");
    }

    private void ExpectNewline()
    {
        if (_src[_pos] == (byte)'\n')
        {
            _pos++;
            return;
        }
        if (_src[_pos] == (byte)'\r' && _pos + 1 < _src.Length && _src[_pos + 1] == (byte)'\n')
        {
            _pos += 2;
            return;
        }
        throw Error(_pos, "carriage return (U+000D) must be followed by a line feed");
    }

    /// <summary>Skips '#' up to (not including) the newline, rejecting control characters.</summary>
    private void SkipComment()
    {
        _pos++;
        while (true)
        {
            var i = _src[_pos..].IndexOfAny(CommentStop);
            if (i < 0)
            {
                _pos = _src.Length;
                return;
            }
            _pos += i;
            var b = _src[_pos];
            if (b == (byte)'\n' || (b == (byte)'\r' && _pos + 1 < _src.Length && _src[_pos + 1] == (byte)'\n'))
                return;
            throw Error(_pos, $"control character {Describe(_pos)} is not allowed in a comment");
        }
    }

    // ---- keys ----

    /// <summary>Reads a possibly dotted key into <see cref="_keyParts"/>.</summary>
    private void ParseKey()
    {
        _keyParts.Clear();
        while (true)
        {
            SkipWhitespace();
            var start = _pos;
            string name;
            if (_pos >= _src.Length)
                throw Error(_pos, "expected a key, found end of file");
            var b = _src[_pos];
            if (b == (byte)'"' || b == (byte)'\'')
            {
                if (_pos + 2 < _src.Length && _src[_pos + 1] == b && _src[_pos + 2] == b)
                    throw Error(_pos, "a multi-line string cannot be used as a key");
                name = b == (byte)'"' ? ParseBasicString() : ParseLiteralString();
            }
            else
            {
                var n = _src[_pos..].IndexOfAnyExcept(BareKeyBytes);
                if (n < 0)
                    n = _src.Length - _pos;
                if (n == 0)
                    throw Error(_pos, $"expected a key, found {Describe(_pos)} (bare keys may contain only A-Z a-z 0-9 _ -; quote other keys)");
                name = KeyCache.Get(_src.Slice(_pos, n));
                _pos += n;
            }
            if (_keyParts.Count == MaxDepth)
                throw Error(start, $"key has more than {MaxDepth} dotted parts (the nesting limit is {MaxDepth})");
            _keyParts.Add(new KeyPart(name, start));
            SkipWhitespace();
            if (_pos < _src.Length && _src[_pos] == (byte)'.')
            {
                _pos++;
                continue;
            }
            return;
        }
    }

    private string KeyText(int count)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                sb.Append('.');
            sb.Append(QuoteKey(_keyParts[i].Name));
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

    // ---- expressions ----

    /// <summary>key = value inside <paramref name="table"/> (a section or an inline table at depth <paramref name="depth"/>).</summary>
    private void ParseKeyValue(TomlTable table, int depth)
    {
        ParseKey();
        if (_pos >= _src.Length || _src[_pos] != (byte)'=')
            throw Error(_pos, $"expected '=' after key {KeyText(_keyParts.Count)}, found {Describe(_pos)}");
        _pos++;
        var parts = _keyParts.Count;
        if (depth + parts - 1 > MaxDepth)
            throw Error(_keyParts[0].Offset, $"key {KeyText(parts)} nests deeper than the limit of {MaxDepth} tables/arrays");
        var parent = table;
        for (var i = 0; i < parts - 1; i++)
        {
            var part = _keyParts[i];
            if (!parent.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(At(part.Offset), TomlTableOrigin.DottedKey);
                parent.Add(part.Name, created, created.Position);
                parent = created;
                continue;
            }
            if (existing is not TomlTable sub)
                throw Error(part.Offset, $"cannot use dotted key {KeyText(parts)}: {KeyText(i + 1)} is already {Describe(existing)} (defined at {parent.KeyPosition(part.Name)})");
            switch (sub.Origin)
            {
                case TomlTableOrigin.DottedKey:
                    break;
                case TomlTableOrigin.Implicit:
                    // A table only implied by a deeper [a.b.c] header becomes defined by these dotted keys.
                    sub.Define(TomlTableOrigin.DottedKey, At(part.Offset));
                    break;
                case TomlTableOrigin.Inline:
                    throw Error(part.Offset, $"cannot add {KeyText(parts)} to inline table {KeyText(i + 1)} (defined at {sub.Position}): inline tables are complete as written");
                default:
                    throw Error(part.Offset, $"cannot add {KeyText(parts)} with dotted keys: {KeyText(i + 1)} is a table defined by its own [header] at {sub.Position}; set the key under that header");
            }
            parent = sub;
        }
        var last = _keyParts[parts - 1];
        if (parent.TryGetValue(last.Name, out var previous))
            throw Error(last.Offset, $"key {KeyText(parts)} defined twice (first at {parent.KeyPosition(last.Name)}, as {Describe(previous)})");
        var keyPosition = At(last.Offset);
        SkipWhitespace();
        var value = ParseValue(depth + parts);
        parent.Add(last.Name, value, keyPosition);
    }

    /// <summary>[a.b] or [[a.b]]; returns the section table and its depth.</summary>
    private (TomlTable Section, int Depth) ParseHeader(TomlTable root)
    {
        var start = _pos;
        var arrayOfTables = _pos + 1 < _src.Length && _src[_pos + 1] == (byte)'[';
        _pos += arrayOfTables ? 2 : 1;
        ParseKey();
        var parts = _keyParts.Count;
        if (_pos >= _src.Length || _src[_pos] != (byte)']')
            throw Error(_pos, $"expected '{(arrayOfTables ? "]]" : "]")}' to close {HeaderText(arrayOfTables, parts)}, found {Describe(_pos)}");
        _pos++;
        if (arrayOfTables)
        {
            if (_pos >= _src.Length || _src[_pos] != (byte)']')
                throw Error(_pos, $"expected ']]' to close {HeaderText(arrayOfTables, parts)}, found {Describe(_pos)}");
            _pos++;
        }
        var headerPosition = At(start);
        var table = root;
        var depth = 0;
        for (var i = 0; i < parts - 1; i++)
        {
            var part = _keyParts[i];
            depth++;
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(At(part.Offset), TomlTableOrigin.Implicit);
                table.Add(part.Name, created, created.Position);
                table = created;
                continue;
            }
            switch (existing)
            {
                case TomlTable { Origin: TomlTableOrigin.Inline } inline:
                    throw Error(part.Offset, $"cannot extend inline table {KeyText(i + 1)} (defined at {inline.Position}) with header [{KeyText(parts)}]: inline tables are complete as written");
                case TomlTable sub:
                    table = sub;
                    break;
                case TomlArray { IsArrayOfTables: true } array:
                    depth++;
                    table = (TomlTable)array.Last;
                    break;
                default:
                    throw Error(part.Offset, $"header [{KeyText(parts)}] needs {KeyText(i + 1)} to be a table, but it is already {Describe(existing)} (defined at {table.KeyPosition(part.Name)})");
            }
        }
        depth++;
        if (depth > MaxDepth)
            throw Error(start, $"header [{KeyText(parts)}] nests deeper than the limit of {MaxDepth} tables/arrays");
        var lastPart = _keyParts[parts - 1];
        var keyPosition = At(lastPart.Offset);
        table.TryGetValue(lastPart.Name, out var current);
        if (arrayOfTables)
        {
            var element = new TomlTable(headerPosition, TomlTableOrigin.Header);
            switch (current)
            {
                case null:
                    var array = new TomlArray(headerPosition) { IsArrayOfTables = true };
                    array.Add(element);
                    table.Add(lastPart.Name, array, keyPosition);
                    break;
                case TomlArray { IsArrayOfTables: true } existingArray:
                    existingArray.Add(element);
                    break;
                case TomlArray staticArray:
                    throw Error(start, $"cannot append [[{KeyText(parts)}]] to the array value defined at {staticArray.Position}: arrays written as values are static");
                default:
                    throw Error(start, $"[[{KeyText(parts)}]] conflicts with {Describe(current)} defined at {table.KeyPosition(lastPart.Name)}");
            }
            return (element, depth + 1);
        }
        switch (current)
        {
            case null:
                var created = new TomlTable(headerPosition, TomlTableOrigin.Header);
                table.Add(lastPart.Name, created, keyPosition);
                return (created, depth);
            case TomlTable { Origin: TomlTableOrigin.Implicit } implicitTable:
                implicitTable.Define(TomlTableOrigin.Header, headerPosition);
                table.SetKeyPosition(lastPart.Name, keyPosition);
                return (implicitTable, depth);
            case TomlTable { Origin: TomlTableOrigin.Header } defined:
                throw Error(start, $"table [{KeyText(parts)}] defined twice (first at {defined.Position})");
            case TomlTable { Origin: TomlTableOrigin.DottedKey } dotted:
                throw Error(start, $"table [{KeyText(parts)}] was already defined by a dotted key at {dotted.Position}");
            case TomlTable inline:
                throw Error(start, $"table [{KeyText(parts)}] was already defined as an inline table at {inline.Position}");
            default:
                throw Error(start, $"table [{KeyText(parts)}] conflicts with {Describe(current)} defined at {table.KeyPosition(lastPart.Name)}");
        }
    }

    // ---- positions and errors ----

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
