using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Shim.Containerd.Logging;

/// <summary>
/// Formats log entries as logrus-style text lines — <c>time="…" level=info msg="…" key=value</c> — the shape
/// containerd's own log uses, so shim lines read naturally inside it. Structured state becomes fields.
/// </summary>
public sealed class StructuredLineLoggerProvider(ILogSink sink, LogLevel minimum, IReadOnlyDictionary<string, string> fields) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new StructuredLineLogger(sink, minimum, fields);

    public void Dispose() => sink.Dispose();
}

internal sealed class StructuredLineLogger(ILogSink sink, LogLevel minimum, IReadOnlyDictionary<string, string> fields) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }
        sink.WriteLine(Format(DateTimeOffset.UtcNow, logLevel, formatter(state, exception), state as IEnumerable<KeyValuePair<string, object?>>, exception, fields));
    }

    internal static string Format(
        DateTimeOffset time, LogLevel level, string message, IEnumerable<KeyValuePair<string, object?>>? state,
        Exception? exception, IReadOnlyDictionary<string, string> fields)
    {
        var line = new StringBuilder(160);
        line.Append("time=\"").Append(time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)).Append('"');
        line.Append(" level=").Append(LevelName(level));
        line.Append(" msg=").Append(Quote(message));
        foreach (var (key, value) in fields)
        {
            line.Append(' ').Append(key).Append('=').Append(Quote(value));
        }
        if (state is not null)
        {
            foreach (var (key, value) in state)
            {
                if (key == "{OriginalFormat}")
                {
                    continue;
                }
                line.Append(' ').Append(key).Append('=').Append(Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
            }
        }
        if (exception is not null)
        {
            line.Append(" error=").Append(Quote(exception.Message));
        }
        return line.ToString();
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        _ => "fatal",
    };

    // Values with spaces, quotes, '=' or control characters are quoted and escaped so one entry stays one line.
    private static string Quote(string value)
    {
        if (value.Length > 0 && value.All(c => c > ' ' && c != '"' && c != '=' && c != '\\' && c < 127))
        {
            return value;
        }
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
