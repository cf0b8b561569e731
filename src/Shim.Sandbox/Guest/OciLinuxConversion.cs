using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>OCI <c>linux</c> → agent <see cref="Linux"/> under Kata's rules (kata-agent-protocol.md §2.9.4, §2.9.5, §3.3).</summary>
internal static class OciLinuxConversion
{
    /// <summary>The namespaces the agent gets, always, with empty paths: it puts ipc and uts into the sandbox's own.</summary>
    private static readonly string[] GuestNamespaces = ["mount", "ipc", "uts"];

    /// <param name="removeVfioNodes">guest-kernel VFIO mode: a guest driver owns the device, the container gets no VFIO node.</param>
    /// <returns>The agent Linux and whether the OCI pid namespace had a path (→ <c>sandbox_pidns</c>).</returns>
    public static (Linux Linux, bool SandboxPidns) Convert(OciJsonNode? linux, bool removeVfioNodes)
    {
        var result = new Linux();
        // Namespace paths name host namespaces; the guest has its own. network, cgroup and time are the VM's; user is
        // dropped too because no ID mappings are sent. A pid entry with a path means "join the pod's PID namespace".
        result.Namespaces.AddRange(GuestNamespaces.Select(t => new LinuxNamespace { Type = t }));
        if (linux is not { } l) return (result, false);

        var sandboxPidns = l.Array("namespaces").Any(ns => ns.String("type") == "pid" && !string.IsNullOrEmpty(ns.String("path")));
        foreach (var (key, value) in l.StringMap("sysctl")) result.Sysctl[key] = value;
        if (l.Object("resources") is { } resources)
        {
            result.Resources = OciResourcesConversion.Convert(resources);
            // Kata sends no pids limit at create: the guest's pid space is the VM's, not the host's.
            result.Resources.Pids = null;
        }
        result.CgroupsPath = l.String("cgroupsPath") ?? "";
        result.RootfsPropagation = l.String("rootfsPropagation") ?? "";
        foreach (var device in l.Array("devices"))
        {
            var d = new LinuxDevice
            {
                Path = device.String("path") ?? "",
                Type = device.String("type") ?? "",
                Major = device.Int64("major"),
                Minor = device.Int64("minor"),
                FileMode = device.UInt32("fileMode"),
                UID = device.UInt32("uid"),
                GID = device.UInt32("gid"),
            };
            if (removeVfioNodes && d.Type == "c" && d.Path.StartsWith("/dev/vfio/", StringComparison.Ordinal)) continue;
            result.Devices.Add(d);
        }
        result.MaskedPaths.AddRange(l.Strings("maskedPaths"));
        result.ReadonlyPaths.AddRange(l.Strings("readonlyPaths"));
        return (result, sandboxPidns);
    }
}
