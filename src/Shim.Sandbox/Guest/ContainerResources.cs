using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// containerd's Update resources (an <see cref="Any"/> holding OCI LinuxResources JSON) in agent form, with the vCPUs
/// the CPU limit needs (the shim hot-plugs them before UpdateContainer).
/// </summary>
/// <param name="Resources">For <c>UpdateContainerRequest.resources</c>.</param>
/// <param name="RequiredVcpus">See <see cref="VcpusFor"/>; 0 = no CPU limit.</param>
public sealed record ContainerResources(LinuxResources Resources, uint RequiredVcpus)
{
    /// <summary>The type URL containerd's typeurl registers for the OCI LinuxResources.</summary>
    public const string TypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    /// <exception cref="ArgumentException">the Any holds another type.</exception>
    /// <exception cref="InvalidDataException">malformed JSON or a field of the wrong type; names the field.</exception>
    public static ContainerResources FromAny(Any resources)
    {
        if (resources.TypeUrl != TypeUrl)
            throw new ArgumentException($"update resources have type URL '{resources.TypeUrl}', expected '{TypeUrl}' (OCI LinuxResources JSON)", nameof(resources));
        return FromJson(resources.Value.ToStringUtf8(), "update resources");
    }

    /// <param name="source">Named in errors.</param>
    public static ContainerResources FromJson(string resourcesJson, string source)
    {
        var parsed = OciResourcesConversion.Convert(OciJsonNode.Parse(resourcesJson, source));
        return new ContainerResources(parsed, VcpusFor(parsed.CPU));
    }

    /// <summary>Kata's rule: ceil(quota / period) when both are positive, else 0 (no limit, nothing to hot-plug).</summary>
    public static uint VcpusFor(LinuxCPU? cpu)
    {
        if (cpu is null || cpu.Quota <= 0 || cpu.Period == 0) return 0;
        var quota = (ulong)cpu.Quota;
        return (uint)Math.Min(uint.MaxValue, quota / cpu.Period + (quota % cpu.Period == 0 ? 0UL : 1UL));
    }
}
