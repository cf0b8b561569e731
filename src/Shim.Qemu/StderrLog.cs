using System.Text;

namespace Shim.Qemu;

/// <summary>QEMU's stderr, kept whole; fatal lines are told from the harmless <c>warning:</c> lines (qmp.md §8.2).</summary>
public sealed class StderrLog
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    internal void Add(string line)
    {
        lock (_lock) _lines.Add(line);
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lock) return [.. _lines]; }
    }

    public string Text => string.Join('\n', Lines);

    /// <summary>The non-warning lines, verbatim; all lines if every line is a warning.</summary>
    public string Errors
    {
        get
        {
            var lines = Lines;
            var errors = lines.Where(l => !l.Contains("warning:", StringComparison.Ordinal) && l.Length > 0).ToArray();
            var sb = new StringBuilder();
            foreach (var l in errors.Length > 0 ? errors : lines) sb.Append(sb.Length > 0 ? "\n" : "").Append(l);
            return sb.ToString();
        }
    }
}
