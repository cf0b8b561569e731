using Microsoft.Extensions.Logging;
using Shim.Containerd.Logging;

namespace Shim.Containerd.Tests;

public sealed class LoggingTests
{
    private sealed class ListSink : ILogSink
    {
        public List<string> Lines { get; } = [];

        public void WriteLine(string line) => Lines.Add(line);

        public void Dispose()
        {
        }
    }

    [Fact]
    public void Lines_CarryTimeLevelMessageAndFields_OnOneLine()
    {
        var sink = new ListSink();
        using var provider = new StructuredLineLoggerProvider(sink, LogLevel.Information, new Dictionary<string, string> { ["id"] = "c1" });
        var logger = provider.CreateLogger("x");
        logger.LogInformation("task {Id} created with pid {Pid}", "c1", 42);
        logger.LogWarning("two\nlines \"quoted\"");
        logger.LogDebug("filtered");

        sink.Lines.Count.ShouldBe(2);
        sink.Lines[0].ShouldMatch("""^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z" level=info msg="task c1 created with pid 42" id=c1 Id=c1 Pid=42$""");
        sink.Lines[1].ShouldContain("""level=warning msg="two\nlines \"quoted\"" """.TrimEnd());
        sink.Lines.ShouldAllBe(l => !l.Contains('\n'));
    }

    [Fact]
    public void FifoSink_IsNull_WhenTheFifoIsMissing() =>
        FifoLogSink.TryOpen("/nonexistent/kataplug/log").ShouldBeNull();
}
