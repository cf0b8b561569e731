using System.Text.RegularExpressions;

namespace Shim.Sandbox.Guest;

/// <summary>Guest paths of the Kata layout (kata-agent-protocol.md §4.3, §4.4).</summary>
public static partial class GuestPaths
{
    /// <summary>Where the agent mounts the kataShared virtio-fs share (the host's <c>&lt;state&gt;/&lt;sid&gt;/shared/</c>).</summary>
    public const string SharedContainers = "/run/kata-containers/shared/containers/";

    /// <summary><c>/run/kata-containers/shared/containers/&lt;cid&gt;/rootfs</c>: the container's rootfs seen through the share.</summary>
    public static string ContainerRootfs(string containerId) => $"{SharedContainers}{RequireContainerId(containerId)}/rootfs";

    /// <summary>The guest path of an entry named <paramref name="shareName"/> directly under the share.</summary>
    public static string SharedEntry(string shareName) => SharedContainers + shareName;

    /// <summary>
    /// The agent's container-id rule (<c>^[A-Za-z0-9][A-Za-z0-9_.-]+$</c>, else code 13 "invalid container ID"), checked
    /// here because the id also becomes part of host and guest path names.
    /// </summary>
    public static string RequireContainerId(string containerId) =>
        ContainerIdPattern().IsMatch(containerId)
            ? containerId
            : throw new ArgumentException(
                $"container id '{containerId}' is not accepted by the Kata agent: it must match ^[A-Za-z0-9][A-Za-z0-9_.-]+$ (at least 2 characters)",
                nameof(containerId));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]+$")]
    private static partial Regex ContainerIdPattern();
}
