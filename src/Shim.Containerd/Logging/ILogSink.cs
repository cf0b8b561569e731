namespace Shim.Containerd.Logging;

/// <summary>Where formatted log lines go (the log fifo in production, a list in tests).</summary>
public interface ILogSink : IDisposable
{
    void WriteLine(string line);
}
