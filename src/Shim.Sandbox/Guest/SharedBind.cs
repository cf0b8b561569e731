using System.Security.Cryptography;

namespace Shim.Sandbox.Guest;

/// <summary>
/// A bind mount of the container that reaches the guest through the kataShared share (kata-agent-protocol.md §4.6): the
/// host must bind <see cref="HostSource"/> (read-only when <see cref="ReadOnly"/>) at
/// <c>&lt;state&gt;/&lt;sid&gt;/shared/&lt;GuestShareName&gt;</c> before CreateContainer; the spec's mount then reads
/// <see cref="GuestPath"/>.
/// </summary>
/// <param name="HostSource">The OCI mount's source on the host (file or directory).</param>
/// <param name="GuestShareName"><c>&lt;cid&gt;-&lt;16 hex&gt;-&lt;basename(destination)&gt;</c>: one path component.</param>
/// <param name="ReadOnly">The OCI mount had the <c>ro</c> option.</param>
public sealed record SharedBind(string HostSource, string GuestShareName, bool ReadOnly)
{
    public string GuestPath => GuestPaths.SharedEntry(GuestShareName);

    /// <summary>8 random bytes as 16 lower-case hex digits, as Kata names shared binds.</summary>
    public static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
