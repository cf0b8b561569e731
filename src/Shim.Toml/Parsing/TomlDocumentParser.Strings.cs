using System.Buffers;
using System.Text;

namespace Shim.Toml.Parsing;

// The four string forms. Runs of ordinary bytes are found with vectorised searches and copied in bulk;
// a string without escapes is decoded straight from the source with no intermediate buffer.
internal ref partial struct TomlDocumentParser
{
    // Control characters other than tab (U+0000..U+0008, U+000A..U+001F, U+007F).
    private const string Controls =
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F";

    private static readonly SearchValues<byte> BasicStop = SearchValues.Create(Encoding.ASCII.GetBytes(Controls + "\"\\"));
    private static readonly SearchValues<byte> LiteralStop = SearchValues.Create(Encoding.ASCII.GetBytes(Controls + "'"));
    // The multi-line forms use the same stops; their loops then accept '\n' and "\r\n".

    /// <summary>"..." with escapes, on one line. The cursor is on the opening quote.</summary>
    private string ParseBasicString()
    {
        var open = _pos;
        _pos++;
        var i = _src[_pos..].IndexOfAny(BasicStop);
        if (i >= 0 && _src[_pos + i] == (byte)'"')
        {
            var s = GetString(_src.Slice(_pos, i));
            _pos += i + 1;
            return s;
        }
        _scratchLength = 0;
        while (true)
        {
            i = _src[_pos..].IndexOfAny(BasicStop);
            if (i < 0)
                throw Error(open, "unterminated string: expected '\"' before end of file");
            Append(_src.Slice(_pos, i));
            _pos += i;
            switch (_src[_pos])
            {
                case (byte)'"':
                    _pos++;
                    return GetString(_scratch.AsSpan(0, _scratchLength));
                case (byte)'\\':
                    ParseEscape();
                    break;
                case (byte)'\n' or (byte)'\r':
                    throw Error(_pos, "unterminated string: a newline is not allowed in a \"basic\" string (use \"\"\"multi-line\"\"\" or \\n)");
                default:
                    throw Error(_pos, $"control character {Describe(_pos)} is not allowed in a string; escape it (\\uXXXX)");
            }
        }
    }

    /// <summary>'...' without escapes, on one line.</summary>
    private string ParseLiteralString()
    {
        var open = _pos;
        _pos++;
        var i = _src[_pos..].IndexOfAny(LiteralStop);
        if (i < 0)
            throw Error(open, "unterminated literal string: expected ''' before end of file");
        var at = _pos + i;
        if (_src[at] == (byte)'\'')
        {
            var s = GetString(_src[_pos..at]);
            _pos = at + 1;
            return s;
        }
        if (_src[at] == (byte)'\n' || _src[at] == (byte)'\r')
            throw Error(at, "unterminated literal string: a newline is not allowed in a 'literal' string (use '''multi-line''')");
        throw Error(at, $"control character {Describe(at)} is not allowed in a literal string");
    }

    /// <summary>"""...""": escapes, line-ending backslash, newlines (normalised to LF).</summary>
    private string ParseMultilineBasicString()
    {
        var open = _pos;
        _pos += 3;
        SkipFirstNewline();
        _scratchLength = 0;
        while (true)
        {
            var i = _src[_pos..].IndexOfAny(BasicStop);
            if (i < 0)
                throw Error(open, "unterminated multi-line string: expected '\"\"\"' before end of file");
            Append(_src.Slice(_pos, i));
            _pos += i;
            switch (_src[_pos])
            {
                case (byte)'"':
                    if (ClosingQuotes((byte)'"'))
                        return GetString(_scratch.AsSpan(0, _scratchLength));
                    break;
                case (byte)'\\':
                    if (!SkipLineEndingBackslash())
                        ParseEscape();
                    break;
                case (byte)'\n' or (byte)'\r':
                    ExpectNewline();
                    AppendByte((byte)'\n');
                    break;
                default:
                    throw Error(_pos, $"control character {Describe(_pos)} is not allowed in a string; escape it (\\uXXXX)");
            }
        }
    }

    /// <summary>'''...''': no escapes, newlines (normalised to LF).</summary>
    private string ParseMultilineLiteralString()
    {
        var open = _pos;
        _pos += 3;
        SkipFirstNewline();
        _scratchLength = 0;
        while (true)
        {
            var i = _src[_pos..].IndexOfAny(LiteralStop);
            if (i < 0)
                throw Error(open, "unterminated multi-line literal string: expected \"'''\" before end of file");
            Append(_src.Slice(_pos, i));
            _pos += i;
            switch (_src[_pos])
            {
                case (byte)'\'':
                    if (ClosingQuotes((byte)'\''))
                        return GetString(_scratch.AsSpan(0, _scratchLength));
                    break;
                case (byte)'\n' or (byte)'\r':
                    ExpectNewline();
                    AppendByte((byte)'\n');
                    break;
                default:
                    throw Error(_pos, $"control character {Describe(_pos)} is not allowed in a literal string");
            }
        }
    }

    /// <summary>A newline right after the opening delimiter is not part of the string.</summary>
    private void SkipFirstNewline()
    {
        if (_pos < _src.Length && (_src[_pos] == (byte)'\n' || _src[_pos] == (byte)'\r'))
            ExpectNewline();
    }

    /// <summary>At a run of quotes inside a multi-line string: fewer than three are content; three to five
    /// close the string, the extra one or two being content.</summary>
    private bool ClosingQuotes(byte quote)
    {
        var n = 0;
        while (_pos + n < _src.Length && _src[_pos + n] == quote)
            n++;
        if (n < 3)
        {
            Append(_src.Slice(_pos, n));
            _pos += n;
            return false;
        }
        if (n > 5)
            throw Error(_pos + 5, $"too many quotes: at most two {(char)quote} may directly precede the closing delimiter");
        Append(_src.Slice(_pos, n - 3));
        _pos += n;
        return true;
    }

    /// <summary>A backslash followed by optional whitespace and a newline trims all whitespace and newlines
    /// that follow. Returns false (cursor unchanged) when the backslash starts an ordinary escape.</summary>
    private bool SkipLineEndingBackslash()
    {
        var j = _pos + 1;
        while (j < _src.Length && (_src[j] == (byte)' ' || _src[j] == (byte)'\t'))
            j++;
        if (j >= _src.Length || (_src[j] != (byte)'\n' && _src[j] != (byte)'\r'))
        {
            if (j > _pos + 1)
                throw Error(_pos, "invalid escape: a backslash followed by whitespace must end the line");
            return false;
        }
        _pos = j;
        while (_pos < _src.Length)
        {
            var b = _src[_pos];
            if (b == (byte)' ' || b == (byte)'\t')
                _pos++;
            else if (b == (byte)'\n' || b == (byte)'\r')
                ExpectNewline();
            else
                break;
        }
        return true;
    }

    /// <summary>Cursor on '\'; appends the escaped scalar value.</summary>
    private void ParseEscape()
    {
        var at = _pos;
        if (_pos + 1 >= _src.Length)
            throw Error(at, "unterminated escape at end of file");
        var c = _src[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case (byte)'b': AppendByte((byte)'\b'); return;
            case (byte)'t': AppendByte((byte)'\t'); return;
            case (byte)'n': AppendByte((byte)'\n'); return;
            case (byte)'f': AppendByte((byte)'\f'); return;
            case (byte)'r': AppendByte((byte)'\r'); return;
            case (byte)'"': AppendByte((byte)'"'); return;
            case (byte)'\\': AppendByte((byte)'\\'); return;
            case (byte)'u': AppendScalar(at, 4); return;
            case (byte)'U': AppendScalar(at, 8); return;
            case (byte)'\n' or (byte)'\r':
                throw Error(at, "invalid escape: a backslash at the end of the line continues only \"\"\"multi-line\"\"\" strings");
            default:
                throw Error(at, $"invalid escape '\\{DescribeEscape(at + 1)}' (valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
        }
    }

    private string DescribeEscape(int offset)
    {
        var status = Rune.DecodeFromUtf8(_src[offset..], out var rune, out _);
        return status == OperationStatus.Done && !Rune.IsControl(rune) ? rune.ToString() : $"U+{_src[offset]:X4}";
    }

    private void AppendScalar(int at, int digits)
    {
        if (_pos + digits > _src.Length)
            throw Error(at, $"escape \\{(digits == 4 ? 'u' : 'U')} needs {digits} hex digits");
        uint value = 0;
        for (var k = 0; k < digits; k++)
        {
            var h = HexValue(_src[_pos + k]);
            if (h < 0)
                throw Error(at, $"escape \\{(digits == 4 ? 'u' : 'U')} needs {digits} hex digits, found {Describe(_pos + k)}");
            value = (value << 4) | (uint)h;
        }
        if (!Rune.IsValid(value))
            throw Error(at, $"escape \\{(digits == 4 ? 'u' : 'U')}{Encoding.ASCII.GetString(_src.Slice(_pos, digits))} is not a Unicode scalar value (surrogates and values above 10FFFF are not allowed)");
        _pos += digits;
        EnsureScratch(4);
        _scratchLength += new Rune(value).EncodeToUtf8(_scratch.AsSpan(_scratchLength));
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    // ---- scratch buffer (pooled, reused by every string with escapes) ----

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_scratch))]
    private void EnsureScratch(int more)
    {
        if (_scratch is not null && _scratchLength + more <= _scratch.Length)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, (_scratchLength + more) * 2));
        if (_scratch is not null)
        {
            _scratch.AsSpan(0, _scratchLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_scratch);
        }
        _scratch = bigger;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureScratch(bytes.Length);
        bytes.CopyTo(_scratch.AsSpan(_scratchLength));
        _scratchLength += bytes.Length;
    }

    private void AppendByte(byte b)
    {
        EnsureScratch(1);
        _scratch[_scratchLength++] = b;
    }
}
