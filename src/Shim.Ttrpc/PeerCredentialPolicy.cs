namespace Shim.Ttrpc;

/// <summary>
/// Decides, from <c>SO_PEERCRED</c>, whether an accepted connection may talk to the server. A rejected peer
/// is closed without any ttrpc reply (Go: <c>ttrpc: invalid credentials</c>, ttrpc.md §8).
/// </summary>
/// <param name="Name">Shown in the rejection log line.</param>
/// <param name="IsAllowed">The check; must be fast and must not throw.</param>
public sealed record PeerCredentialPolicy(string Name, Func<PeerCredentials, bool> IsAllowed)
{
    /// <summary>Default: the peer runs as root or as our own effective uid (containerd runs as root).</summary>
    public static PeerCredentialPolicy RootOrSameUser { get; } = new(
        "peer uid must be 0 or our effective uid",
        peer => peer.Uid == 0 || peer.Uid == ProcessIdentity.EffectiveUserId);

    /// <summary>Go's <c>UnixSocketRequireSameUser</c>: effective uid and gid both equal ours.</summary>
    public static PeerCredentialPolicy SameUserAndGroup { get; } = new(
        "peer uid and gid must equal ours",
        peer => peer.Uid == ProcessIdentity.EffectiveUserId && peer.Gid == ProcessIdentity.EffectiveGroupId);

    /// <summary>No check (tests, or a socket already protected otherwise).</summary>
    public static PeerCredentialPolicy AllowAny { get; } = new("any peer", _ => true);
}
