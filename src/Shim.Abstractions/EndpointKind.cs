namespace Shim.Abstractions;

/// <summary>What kind of endpoint a plugin attaches.</summary>
public enum EndpointKind
{
    /// <summary>A host NIC (SR-IOV VF, or a whole PF when allowed) moved into the VM through VFIO.</summary>
    Physical,

    /// <summary>A generic VFIO device (GPU, NVMe, accelerator) requested by a container.</summary>
    Vfio,

    /// <summary>A vhost-user network backend (OVS-DPDK, VPP) reached through a UNIX socket.</summary>
    VhostUser,
}

/// <summary>The configuration / CLI spelling of <see cref="EndpointKind"/>.</summary>
public static class EndpointKindText
{
    public static string ToText(this EndpointKind kind) => kind switch
    {
        EndpointKind.Physical => "physical",
        EndpointKind.Vfio => "vfio",
        EndpointKind.VhostUser => "vhost-user",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown endpoint kind"),
    };
}
