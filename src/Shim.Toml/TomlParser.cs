using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Shim.Toml.Parsing;

namespace Shim.Toml;

/// <summary>Entry point: parses a whole TOML 1.0.0 document.</summary>
public static class TomlParser
{
    /// <summary>Deepest nesting of tables and arrays accepted (hostile-input guard).</summary>
    public const int MaxNestingDepth = TomlDocumentParser.MaxDepth;

    /// <summary>Parses UTF-8 bytes (invalid UTF-8 is an error, not replaced). A leading UTF-8 BOM is skipped.</summary>
    /// <exception cref="TomlException">The document is not valid TOML 1.0.0; the message says where and why.</exception>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string sourceName = "<toml>")
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (utf8.StartsWith("\uFEFF"u8))
            utf8 = utf8[3..];
        if (!Utf8.IsValid(utf8))
            throw InvalidUtf8(utf8, sourceName);
        return new TomlDocumentParser(utf8, sourceName).ParseDocument();
    }

    /// <summary>Parses text (a leading U+FEFF is skipped; unpaired surrogates are an error).</summary>
    public static TomlTable Parse(string text, string sourceName = "<toml>")
    {
        ArgumentNullException.ThrowIfNull(text);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        int length;
        try
        {
            length = strict.GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new TomlException(sourceName, PositionInText(text, e.Index), $"unpaired surrogate U+{(int)text[e.Index]:X4} is not a Unicode scalar value");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var written = strict.GetBytes(text, buffer);
            return Parse(buffer.AsSpan(0, written), sourceName);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static TomlException InvalidUtf8(ReadOnlySpan<byte> utf8, string sourceName)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != OperationStatus.Done)
                break;
            offset += consumed;
        }
        var positions = default(SourcePositions);
        return new TomlException(sourceName, positions.At(utf8, offset),
            $"invalid UTF-8 (byte 0x{utf8[Math.Min(offset, utf8.Length - 1)]:X2}); TOML documents must be UTF-8 encoded");
    }

    private static TomlPosition PositionInText(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        var column = 1;
        for (var i = lineStart; i < index; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
                column++;
        }
        return new TomlPosition(line, column);
    }
}
