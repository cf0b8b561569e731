namespace Shim.Toml.Parsing;

// Value dispatch, arrays and inline tables.
internal ref partial struct TomlDocumentParser
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>Parses the value at the cursor; <paramref name="depth"/> is the nesting depth it will live at.</summary>
    private TomlNode ParseValue(int depth)
    {
        if (_pos >= _src.Length)
            throw Error(_pos, "expected a value after '=', found end of file");
        var start = _pos;
        switch (_src[_pos])
        {
            case (byte)'"':
                return StringValue(start, IsTripleQuote((byte)'"') ? ParseMultilineBasicString() : ParseBasicString());
            case (byte)'\'':
                return StringValue(start, IsTripleQuote((byte)'\'') ? ParseMultilineLiteralString() : ParseLiteralString());
            case (byte)'t':
                ExpectWord("true"u8, "true");
                return new TomlValue(TomlValueKind.Boolean, BoxedTrue, At(start));
            case (byte)'f':
                ExpectWord("false"u8, "false");
                return new TomlValue(TomlValueKind.Boolean, BoxedFalse, At(start));
            case (byte)'[':
                return ParseArray(depth);
            case (byte)'{':
                return ParseInlineTable(depth);
            case (byte)'i' or (byte)'n' or (byte)'+' or (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                return ParseNumberOrDateTime();
            case (byte)'\n' or (byte)'\r' or (byte)'#':
                throw Error(_pos, "expected a value after '=', found the end of the line");
            default:
                throw Error(_pos, $"expected a value (string, number, boolean, date-time, array or inline table), found {Describe(_pos)}");
        }
    }

    private TomlValue StringValue(int start, string value) => new(TomlValueKind.String, value, At(start));

    private bool IsTripleQuote(byte quote) =>
        _pos + 2 < _src.Length && _src[_pos + 1] == quote && _src[_pos + 2] == quote;

    private void ExpectWord(ReadOnlySpan<byte> word, string text)
    {
        if (!_src[_pos..].StartsWith(word))
            throw Error(_pos, $"expected a value; did you mean {text}? (booleans are lowercase true/false, strings need quotes)");
        _pos += word.Length;
    }

    private TomlArray ParseArray(int depth)
    {
        if (depth > MaxDepth)
            throw Error(_pos, $"arrays and inline tables nest deeper than the limit of {MaxDepth}");
        var position = At(_pos);
        _pos++;
        // Elements collect on a stack shared by all nesting levels; the array is then sized exactly.
        var first = _elements.Count;
        while (true)
        {
            SkipWhitespaceCommentsNewlines();
            if (_pos >= _src.Length)
                throw Error(_pos, "expected ']' to close the array, found end of file");
            if (_src[_pos] == (byte)']')
                break;
            if (_src[_pos] == (byte)',')
                throw Error(_pos, "expected a value in the array, found ','");
            _elements.Add(ParseValue(depth + 1));
            SkipWhitespaceCommentsNewlines();
            if (_pos < _src.Length && _src[_pos] == (byte)',')
            {
                _pos++;
                continue;
            }
            if (_pos < _src.Length && _src[_pos] == (byte)']')
                break;
            throw Error(_pos, $"expected ',' or ']' after an array element, found {Describe(_pos)}");
        }
        _pos++;
        var count = _elements.Count - first;
        if (count == 0)
            return new TomlArray(position, []);
        var items = new TomlNode[count];
        _elements.CopyTo(first, items, 0, count);
        _elements.RemoveRange(first, count);
        return new TomlArray(position, items);
    }

    private TomlTable ParseInlineTable(int depth)
    {
        if (depth > MaxDepth)
            throw Error(_pos, $"arrays and inline tables nest deeper than the limit of {MaxDepth}");
        // Dotted keys inside may extend their own sub-tables until the closing brace; the table is sealed
        // (Origin = Inline) only then, which forbids any later addition from outside.
        var table = new TomlTable(At(_pos), TomlTableOrigin.DottedKey);
        _pos++;
        SkipWhitespace();
        if (_pos < _src.Length && _src[_pos] == (byte)'}')
        {
            _pos++;
            table.Origin = TomlTableOrigin.Inline;
            return table;
        }
        while (true)
        {
            if (_pos < _src.Length && (_src[_pos] == (byte)'\n' || _src[_pos] == (byte)'\r'))
                throw Error(_pos, "inline tables must be on one line (TOML 1.0); use a [table] header for multi-line tables");
            ParseKeyValue(table, depth);
            SkipWhitespace();
            if (_pos >= _src.Length)
                throw Error(_pos, "expected '}' to close the inline table, found end of file");
            if (_src[_pos] == (byte)',')
            {
                _pos++;
                SkipWhitespace();
                if (_pos < _src.Length && _src[_pos] == (byte)'}')
                    throw Error(_pos, "trailing comma is not allowed in an inline table (TOML 1.0)");
                continue;
            }
            if (_src[_pos] == (byte)'}')
            {
                _pos++;
                table.Origin = TomlTableOrigin.Inline;
                return table;
            }
            if (_src[_pos] == (byte)'\n' || _src[_pos] == (byte)'\r' || _src[_pos] == (byte)'#')
                throw Error(_pos, "inline tables must be on one line (TOML 1.0); use a [table] header for multi-line tables");
            throw Error(_pos, $"expected ',' or '}}' in the inline table, found {Describe(_pos)}");
        }
    }
}
