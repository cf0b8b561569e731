namespace Shim.Qemu;

/// <summary>
/// QEMU did not come up. <see cref="QemuError"/> holds QEMU's own fatal stderr lines verbatim
/// (e.g. <c>qemu-system-x86_64: -device vfio-pci,host=…,bus=rp0: Bus 'rp0' not found</c>), warnings excluded.
/// </summary>
public sealed class QemuStartException : Exception
{
    public QemuStartException(string reason, int? exitCode, string qemuError, string stderr, IReadOnlyList<string> commandLine, Exception? inner = null)
        : base(Compose(reason, exitCode, qemuError), inner)
    {
        ExitCode = exitCode;
        QemuError = qemuError;
        Stderr = stderr;
        CommandLine = commandLine;
    }

    /// <summary>Null when QEMU was still running (e.g. start deadline passed; it was then killed).</summary>
    public int? ExitCode { get; }

    public string QemuError { get; }

    public string Stderr { get; }

    public IReadOnlyList<string> CommandLine { get; }

    private static string Compose(string reason, int? exitCode, string qemuError) =>
        $"QEMU failed to start: {reason}" + (exitCode is { } c ? $" (exit code {c})" : "") +
        (qemuError.Length > 0 ? $": {qemuError}" : "; QEMU wrote nothing to stderr");
}
