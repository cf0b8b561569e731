namespace Shim.Toml.Parsing;

// RFC 3339 date-times as TOML 1.0 restricts them: fixed-width fields, seconds required, 'T', 't' or ' '
// between date and time, 'Z', 'z' or ±HH:MM as offset.
internal ref partial struct TomlDocumentParser
{
    private const int MaxFractionDigits = 7; // DateTime resolution is 100 ns; more digits are truncated.

    private TomlValue ParseDateOrDateTime()
    {
        var start = _pos;
        var year = Field(4, "year", "YYYY-MM-DD");
        Separator((byte)'-', "date", "YYYY-MM-DD");
        var month = Field(2, "month", "YYYY-MM-DD");
        Separator((byte)'-', "date", "YYYY-MM-DD");
        var day = Field(2, "day", "YYYY-MM-DD");
        if (year < 1)
            throw Error(start, "year 0000 cannot be represented; use a year from 0001 to 9999");
        if (month is < 1 or > 12)
            throw Error(start, $"month {month:D2} is out of range (01-12)");
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
            throw Error(start, $"day {day:D2} is out of range for {year:D4}-{month:D2} (01-{DateTime.DaysInMonth(year, month):D2})");
        var date = new DateOnly(year, month, day);

        // A time follows 'T'/'t', or a space when the space is followed by HH: (otherwise the space ends the date).
        var hasTime = _pos < _src.Length && (_src[_pos] == (byte)'T' || _src[_pos] == (byte)'t');
        if (!hasTime && _pos < _src.Length && _src[_pos] == (byte)' ')
        {
            var save = _pos;
            _pos++;
            hasTime = LooksLikeTime();
            if (!hasTime)
                _pos = save;
            else
                _pos--;
        }
        if (!hasTime)
            return new TomlValue(TomlValueKind.LocalDate, date, At(start));
        _pos++;
        var (time, fraction) = ParseTimeFields();
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (_pos < _src.Length && (_src[_pos] == (byte)'Z' || _src[_pos] == (byte)'z'))
        {
            _pos++;
            return OffsetDateTime(start, local, TimeSpan.Zero, fraction);
        }
        if (_pos < _src.Length && (_src[_pos] == (byte)'+' || _src[_pos] == (byte)'-'))
        {
            var sign = _src[_pos] == (byte)'-' ? -1 : 1;
            _pos++;
            var oh = Field(2, "offset hour", "±HH:MM");
            Separator((byte)':', "offset", "±HH:MM");
            var om = Field(2, "offset minute", "±HH:MM");
            if (oh > 23 || om > 59)
                throw Error(start, $"time offset {(sign < 0 ? '-' : '+')}{oh:D2}:{om:D2} is out of range (hours 00-23, minutes 00-59)");
            return OffsetDateTime(start, local, TimeSpan.FromMinutes(sign * (oh * 60 + om)), fraction);
        }
        return new TomlValue(TomlValueKind.LocalDateTime, local, At(start)) { FractionDigits = fraction };
    }

    private TomlValue OffsetDateTime(int start, DateTime local, TimeSpan offset, string? fraction)
    {
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
            throw Error(start, "offset date-time is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z once converted to UTC");
        // .NET offsets stop at ±14:00; RFC 3339 allows up to ±23:59. Such instants are kept exactly, in UTC.
        var value = Math.Abs(offset.TotalHours) <= 14
            ? new DateTimeOffset(local, offset)
            : new DateTimeOffset(new DateTime(utcTicks, DateTimeKind.Unspecified), TimeSpan.Zero);
        return new TomlValue(TomlValueKind.OffsetDateTime, value, At(start)) { FractionDigits = fraction };
    }

    private TomlValue ParseLocalTime()
    {
        var start = _pos;
        var (time, fraction) = ParseTimeFields();
        return new TomlValue(TomlValueKind.LocalTime, time, At(start)) { FractionDigits = fraction };
    }

    /// <summary>HH:MM:SS[.fraction]; returns the time and the fraction digits as written (null if none).</summary>
    private (TimeOnly Time, string? Fraction) ParseTimeFields()
    {
        var start = _pos;
        var hour = Field(2, "hour", "HH:MM:SS");
        Separator((byte)':', "time", "HH:MM:SS");
        var minute = Field(2, "minute", "HH:MM:SS");
        Separator((byte)':', "time", "HH:MM:SS (seconds are required in TOML 1.0)");
        var second = Field(2, "second", "HH:MM:SS");
        if (hour > 23)
            throw Error(start, $"hour {hour:D2} is out of range (00-23)");
        if (minute > 59)
            throw Error(start, $"minute {minute:D2} is out of range (00-59)");
        if (second > 59)
            throw Error(start, second == 60
                ? "second 60 (a leap second) cannot be represented; use 59"
                : $"second {second:D2} is out of range (00-59)");
        var ticks = new TimeOnly(hour, minute, second).Ticks;
        string? fraction = null;
        if (_pos < _src.Length && _src[_pos] == (byte)'.')
        {
            _pos++;
            var digits = _src[_pos..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            if (digits < 0)
                digits = _src.Length - _pos;
            if (digits == 0)
                throw Error(_pos, $"expected digits after the decimal point of the seconds, found {Describe(_pos)}");
            long fractionTicks = 0;
            for (var k = 0; k < MaxFractionDigits; k++)
                fractionTicks = fractionTicks * 10 + (k < digits ? _src[_pos + k] - '0' : 0);
            ticks += fractionTicks;
            fraction = GetString(_src.Slice(_pos, digits));
            _pos += digits;
        }
        return (new TimeOnly(ticks), fraction);
    }

    private int Field(int width, string name, string format)
    {
        var value = 0;
        for (var k = 0; k < width; k++)
        {
            if (_pos >= _src.Length || !IsDigit(_src[_pos]))
                throw Error(_pos, $"expected {width} digits for the {name} ({format}), found {Describe(_pos)}");
            value = value * 10 + (_src[_pos] - '0');
            _pos++;
        }
        return value;
    }

    private void Separator(byte expected, string what, string format)
    {
        if (_pos >= _src.Length || _src[_pos] != expected)
            throw Error(_pos, $"expected '{(char)expected}' in the {what} ({format}), found {Describe(_pos)}");
        _pos++;
    }
}
