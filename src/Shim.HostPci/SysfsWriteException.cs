namespace Shim.HostPci;

/// <summary>
/// A sysfs attribute write failed. <see cref="Exception.HResult"/> is the raw errno (as .NET does for Unix I/O
/// errors) and the message names the errno, the path and the value, so the log says exactly what the kernel refused.
/// </summary>
public sealed class SysfsWriteException : IOException
{
    public SysfsWriteException(string path, string value, Errno errno, string? detail = null)
        : base($"writing '{Escape(value)}' to {path} failed with {errno} ({(int)errno}){(detail is null ? "" : ": " + detail)}", (int)errno)
    {
        Path = path;
        Value = value;
        Errno = errno;
    }

    public string Path { get; }
    public string Value { get; }
    public Errno Errno { get; }

    private static string Escape(string value) => value.Replace("\n", "\\n", StringComparison.Ordinal);
}
