using System.Security.Cryptography;
using System.Text;

namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Where a daemon listens: like Go shims, <c>&lt;dir&gt;/&lt;hex sha256 of "&lt;containerd address&gt;/&lt;ns&gt;/&lt;id&gt;"&gt;</c>
/// with dir <c>/run/containerd/s</c> (containerd-shim-v2.md §3.5). Deterministic, so a pod container's <c>start</c>
/// computes its sandbox daemon's address from the sandbox id alone, and <c>delete</c> can find the socket file.
/// </summary>
public static class ShimSocketAddress
{
    public const string DefaultDirectory = "/run/containerd/s";

    /// <summary>Overrides <see cref="DefaultDirectory"/> (tests keep their sockets in a private directory).</summary>
    public const string DirectoryEnvironmentVariable = "KATAPLUG_SHIM_SOCKET_DIR";

    private const int MaxSocketPathBytes = 106;
    private const string UnixScheme = "unix://";

    public static string Directory(Func<string, string?>? environment = null)
    {
        var overridden = (environment ?? Environment.GetEnvironmentVariable)(DirectoryEnvironmentVariable);
        return string.IsNullOrEmpty(overridden) ? DefaultDirectory : overridden;
    }

    /// <summary>The socket path for the daemon serving <paramref name="id"/>.</summary>
    /// <exception cref="ShimUsageException">the path would exceed the unix socket limit.</exception>
    public static string SocketPath(string socketDirectory, string containerdAddress, string ns, string id)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{containerdAddress}/{ns}/{id}")));
        var path = Path.Combine(socketDirectory, hash);
        var bytes = Encoding.UTF8.GetByteCount(path);
        return bytes <= MaxSocketPathBytes
            ? path
            : throw new ShimUsageException(
                $"socket path '{path}' is {bytes} bytes, over the {MaxSocketPathBytes}-byte unix socket limit: set {DirectoryEnvironmentVariable} to a shorter directory");
    }

    /// <summary><c>unix:///abs/path</c>: a filesystem socket (without the scheme containerd would dial an abstract one).</summary>
    public static string ToAddress(string socketPath) => UnixScheme + socketPath;

    /// <summary>The socket path of a <c>unix://</c> address.</summary>
    public static string FromAddress(string address) =>
        address.StartsWith(UnixScheme, StringComparison.Ordinal)
            ? address[UnixScheme.Length..]
            : throw new ArgumentException($"address '{address}' is not a unix:// address", nameof(address));
}
