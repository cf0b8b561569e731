using System.Buffers;

namespace Shim.Toml.Parsing;

/// <summary>Single-pass TOML 1.0.0 parser over UTF-8 bytes that are already known to be valid UTF-8.
/// This file: the document loop, whitespace/comments/newlines and keys. Tables: where key/values and headers
/// land (redefinition rules). Values, Strings, Numbers, DateTimes: the value grammar. Diagnostics: messages.</summary>
internal ref partial struct TomlDocumentParser
{
    /// <summary>Deepest nesting of tables and arrays accepted, against hostile input.</summary>
    public const int MaxDepth = 128;

    private static readonly SearchValues<byte> BareKeyBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"u8);

    private static readonly SearchValues<char> BareKeyChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    // Bytes a comment may not contain (control characters other than tab); a CR is then checked for CRLF.
    private static readonly SearchValues<byte> CommentStop = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(Controls));

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
}
