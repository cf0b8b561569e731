namespace Shim.Toml.Parsing;

/// <summary>Turns byte offsets into line:column lazily. The parser asks for positions in (almost always)
/// increasing order, so the last answer is cached and the next one only scans the bytes in between: the
/// total cost over a document is linear, and the lexer never has to count lines itself.</summary>
internal struct SourcePositions
{
    private int _offset;     // offset of the cached answer
    private int _line;       // its line (1-based)
    private int _lineStart;  // offset where that line starts
    private int _column;     // its column (1-based, in scalar values)

    public TomlPosition At(ReadOnlySpan<byte> source, int offset)
    {
        offset = Math.Min(offset, source.Length);
        if (_line == 0 || offset < _offset)
        {
            _offset = 0;
            _line = 1;
            _lineStart = 0;
            _column = 1;
        }
        if (offset - _offset <= 64)
        {
            // Short hops (key to value, value to next key) are the common case: one scalar pass.
            for (var i = _offset; i < offset; i++)
            {
                var b = source[i];
                if (b == (byte)'\n')
                {
                    _line++;
                    _lineStart = i + 1;
                    _column = 1;
                }
                else if ((b & 0xC0) != 0x80)
                    _column++;
            }
            _offset = offset;
            return new TomlPosition(_line, _column);
        }
        var between = source[_offset..offset];
        var lastNewline = between.LastIndexOf((byte)'\n');
        var countFrom = _offset;
        if (lastNewline >= 0)
        {
            _line += between.Count((byte)'\n');
            _lineStart = _offset + lastNewline + 1;
            _column = 1;
            countFrom = _lineStart;
        }
        _column += ScalarCount(source[countFrom..offset]);
        _offset = offset;
        return new TomlPosition(_line, _column);
    }

    // Counts UTF-8 lead bytes (every byte that is not a continuation byte 10xxxxxx).
    private static int ScalarCount(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOfAnyInRange((byte)0x80, (byte)0xBF) < 0)
            return bytes.Length;
        var n = 0;
        foreach (var b in bytes)
        {
            if ((b & 0xC0) != 0x80)
                n++;
        }
        return n;
    }
}
