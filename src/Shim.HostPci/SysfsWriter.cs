using System.Text;

namespace Shim.HostPci;

/// <summary>The real writer: open O_WRONLY (no create, no truncate semantics) and one write of the whole value.</summary>
public sealed class SysfsWriter : ISysfsWriter
{
    public void Write(string attributePath, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        try
        {
            using var handle = File.OpenHandle(attributePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, bytes, 0);
        }
        catch (FileNotFoundException) { throw new SysfsWriteException(attributePath, value, Errno.ENOENT); }
        catch (DirectoryNotFoundException) { throw new SysfsWriteException(attributePath, value, Errno.ENOENT); }
        catch (UnauthorizedAccessException) { throw new SysfsWriteException(attributePath, value, Errno.EACCES); }
        catch (IOException e) when (e is not SysfsWriteException && e.HResult > 0)
        {
            // .NET on Unix reports the raw errno as HResult for errors it has no dedicated exception for.
            throw new SysfsWriteException(attributePath, value, (Errno)e.HResult, e.Message);
        }
    }
}
