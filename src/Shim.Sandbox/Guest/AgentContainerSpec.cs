using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// A container's OCI spec in agent form (kata-agent-protocol.md §2.9, §3.3, §4.6), with what the host must do for it.
/// Hooks, seccomp, ID mappings and SELinux/AppArmor labels are not carried; unknown fields are ignored.
/// </summary>
/// <param name="Spec">For <c>CreateContainerRequest.OCI</c>.</param>
/// <param name="SharedBinds">Binds the host must place in the shared directory before CreateContainer.</param>
/// <param name="SandboxPidns">For <c>CreateContainerRequest.sandbox_pidns</c>: the OCI pid namespace had a path.</param>
public sealed record AgentContainerSpec(Spec Spec, IReadOnlyList<SharedBind> SharedBinds, bool SandboxPidns)
{
    /// <summary>Converts a bundle's <c>config.json</c> text.</summary>
    /// <param name="configJson">The OCI runtime spec text.</param>
    /// <param name="configPath">The file it came from, named in errors.</param>
    /// <param name="containerId">Container id (agent rule, also part of share names).</param>
    /// <param name="guestRootfsPath"><c>Root.Path</c>, normally <see cref="GuestPaths.ContainerRootfs"/>.</param>
    /// <param name="removeVfioNodes">guest-kernel VFIO mode: char devices under <c>/dev/vfio/</c> leave <c>linux.devices</c>.</param>
    /// <param name="randomHex">16 lower-case hex digits per shared bind; default <see cref="SharedBind.RandomHex"/>.</param>
    /// <exception cref="InvalidDataException">malformed JSON or a field of the wrong type; names the file and the field.</exception>
    public static AgentContainerSpec FromOciJson(
        string configJson, string configPath, string containerId, string guestRootfsPath,
        bool removeVfioNodes = false, Func<string>? randomHex = null)
    {
        GuestPaths.RequireContainerId(containerId);
        var root = OciJsonNode.Parse(configJson, configPath);
        var process = root.Object("process")
            ?? throw new InvalidDataException($"{configPath}: field 'process' is missing; the agent cannot create a container without a process to run");

        var spec = new Spec
        {
            Version = root.String("ociVersion") ?? "",
            Process = OciProcessConversion.Convert(process),
            Root = new Root { Path = guestRootfsPath, Readonly = root.Object("root")?.Bool("readonly") ?? false },
            Hostname = root.String("hostname") ?? "",
        };
        var (mounts, shared) = OciMountConversion.Convert(root, containerId, randomHex ?? SharedBind.RandomHex);
        spec.Mounts.AddRange(mounts);
        foreach (var (key, value) in root.StringMap("annotations")) spec.Annotations[key] = value;
        var (linux, sandboxPidns) = OciLinuxConversion.Convert(root.Object("linux"), removeVfioNodes);
        spec.Linux = linux;
        return new AgentContainerSpec(spec, shared, sandboxPidns);
    }
}
