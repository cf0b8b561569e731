using System.Buffers;
using System.Globalization;
using System.Text;

namespace Shim.Toml.Parsing;

// Integers, floats, and the dispatch to date-times (which also start with a digit).
internal ref partial struct TomlDocumentParser
{
    // Everything that can appear in a number token; the token is then validated strictly.
    private static readonly SearchValues<byte> NumberBytes =
        SearchValues.Create("0123456789abcdefABCDEFxXoO_+-.eEinIN"u8);

    private TomlValue ParseNumberOrDateTime()
    {
        var start = _pos;
        if (LooksLikeDate() )
            return ParseDateOrDateTime();
        if (LooksLikeTime())
            return ParseLocalTime();
        var n = _src[_pos..].IndexOfAnyExcept(NumberBytes);
        if (n < 0)
            n = _src.Length - _pos;
        var token = _src.Slice(_pos, n);
        _pos += n;
        return ParseNumberToken(token, start);
    }

    private bool LooksLikeDate() =>
        _pos + 4 < _src.Length && IsDigit(_src[_pos]) && IsDigit(_src[_pos + 1]) && IsDigit(_src[_pos + 2]) &&
        IsDigit(_src[_pos + 3]) && _src[_pos + 4] == (byte)'-';

    private bool LooksLikeTime() =>
        _pos + 2 < _src.Length && IsDigit(_src[_pos]) && IsDigit(_src[_pos + 1]) && _src[_pos + 2] == (byte)':';

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private TomlValue ParseNumberToken(ReadOnlySpan<byte> token, int start)
    {
        var i = 0;
        var negative = false;
        var signed = token.Length > 0 && (token[0] == (byte)'+' || token[0] == (byte)'-');
        if (signed)
        {
            negative = token[0] == (byte)'-';
            i = 1;
        }
        var body = token[i..];
        if (body.SequenceEqual("inf"u8))
            return new TomlValue(TomlValueKind.Float, negative ? double.NegativeInfinity : double.PositiveInfinity, At(start));
        if (body.SequenceEqual("nan"u8))
            return new TomlValue(TomlValueKind.Float, double.NaN, At(start));
        if (body.Length == 0 || !IsDigit(body[0]))
            throw Error(start, $"expected a value, found {Text(token)} (strings need quotes; numbers start with a digit; floats may be inf or nan)");
        if (body.Length >= 2 && body[0] == (byte)'0' && (body[1] == (byte)'x' || body[1] == (byte)'o' || body[1] == (byte)'b'))
        {
            if (signed)
                throw Error(start, $"invalid number {Text(token)}: hexadecimal, octal and binary integers cannot have a sign");
            return ParseRadixInteger(token, start, body[1] switch { (byte)'x' => 16, (byte)'o' => 8, _ => 2 });
        }

        // Decimal integer or float: validate the shape, then convert.
        var intStart = i;
        if (!ScanDigits(token, ref i, 10))
            throw InvalidNumber(token, start);
        if (token[intStart] == (byte)'0' && i - intStart > 1)
            throw Error(start, $"invalid number {Text(token)}: leading zeros are not allowed");
        var isFloat = false;
        if (i < token.Length && token[i] == (byte)'.')
        {
            i++;
            isFloat = true;
            if (!ScanDigits(token, ref i, 10))
                throw Error(start, $"invalid float {Text(token)}: a digit must follow the decimal point");
        }
        if (i < token.Length && (token[i] == (byte)'e' || token[i] == (byte)'E'))
        {
            i++;
            isFloat = true;
            if (i < token.Length && (token[i] == (byte)'+' || token[i] == (byte)'-'))
                i++;
            if (!ScanDigits(token, ref i, 10))
                throw Error(start, $"invalid float {Text(token)}: the exponent needs digits");
        }
        if (i != token.Length)
            throw InvalidNumber(token, start);
        return isFloat ? ParseFloat(token, start) : ParseDecimalInteger(token, start, negative);
    }

    /// <summary>Digits of <paramref name="radix"/> with single underscores between digits; at least one digit.</summary>
    private static bool ScanDigits(ReadOnlySpan<byte> token, ref int i, int radix)
    {
        var begin = i;
        var lastWasDigit = false;
        while (i < token.Length)
        {
            var b = token[i];
            if (b == (byte)'_')
            {
                if (!lastWasDigit)
                    return false;
                lastWasDigit = false;
            }
            else if (HexValue(b) is var d && d >= 0 && d < radix)
                lastWasDigit = true;
            else
                break;
            i++;
        }
        return i > begin && lastWasDigit;
    }

    private TomlValue ParseDecimalInteger(ReadOnlySpan<byte> token, int start, bool negative)
    {
        // Accumulate the magnitude; -9223372036854775808 has no positive counterpart.
        var limit = negative ? 9223372036854775808UL : long.MaxValue;
        ulong value = 0;
        foreach (var b in token)
        {
            if (!IsDigit(b))
                continue;
            var d = (ulong)(b - '0');
            if (value > (limit - d) / 10)
                throw Error(start, $"integer {Text(token)} is out of range for a 64-bit integer");
            value = value * 10 + d;
        }
        var result = negative ? (long)(0 - value) : (long)value;
        return new TomlValue(TomlValueKind.Integer, Box(result), At(start));
    }

    private TomlValue ParseRadixInteger(ReadOnlySpan<byte> token, int start, int radix)
    {
        var i = 2;
        if (!ScanDigits(token, ref i, radix) || i != token.Length)
            throw Error(start, $"invalid {(radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : "binary")} integer {Text(token)}");
        var shift = radix == 16 ? 4 : radix == 8 ? 3 : 1;
        ulong value = 0;
        for (var k = 2; k < token.Length; k++)
        {
            if (token[k] == (byte)'_')
                continue;
            if (value > (ulong)long.MaxValue >> shift)
                throw Error(start, $"integer {Text(token)} is out of range for a 64-bit integer");
            value = (value << shift) | (uint)HexValue(token[k]);
        }
        if (value > long.MaxValue)
            throw Error(start, $"integer {Text(token)} is out of range for a 64-bit integer");
        return new TomlValue(TomlValueKind.Integer, Box((long)value), At(start));
    }

    // Small integers (ports, counts, sizes, flags) dominate configuration files: share their boxes.
    private static readonly object[] SmallIntegers = Enumerable.Range(-16, 1040).Select(i => (object)(long)i).ToArray();

    private static object Box(long value) =>
        value is >= -16 and < 1024 ? SmallIntegers[value + 16] : value;

    private TomlValue ParseFloat(ReadOnlySpan<byte> token, int start)
    {
        _scratchLength = 0;
        foreach (var b in token)
        {
            if (b != (byte)'_')
                AppendByte(b);
        }
        if (!double.TryParse(_scratch.AsSpan(0, _scratchLength), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw InvalidNumber(token, start);
        if (double.IsInfinity(value))
            throw Error(start, $"float {Text(token)} is out of range for a 64-bit float (write inf or -inf if that is meant)");
        return new TomlValue(TomlValueKind.Float, value, At(start));
    }

    private TomlException InvalidNumber(ReadOnlySpan<byte> token, int start) =>
        Error(start, $"invalid number {Text(token)} (underscores only between digits, no leading zeros, floats need digits on both sides of '.')");

    /// <summary>Token text for messages, shortened so hostile input cannot blow up the message.</summary>
    private static string Text(ReadOnlySpan<byte> token) =>
        token.Length <= 64 ? Encoding.UTF8.GetString(token) : Encoding.UTF8.GetString(token[..64]) + "...";
}
