using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>containerd's Exec process spec (an <see cref="Any"/> holding OCI Process JSON) → agent <see cref="Process"/>.</summary>
public static class ExecProcessSpec
{
    /// <summary>The type URL containerd's typeurl registers for the OCI Process.</summary>
    public const string TypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/Process";

    /// <exception cref="ArgumentException">the Any holds another type.</exception>
    /// <exception cref="InvalidDataException">malformed JSON or a field of the wrong type; names the field.</exception>
    public static Process FromAny(Any spec)
    {
        if (spec.TypeUrl != TypeUrl)
            throw new ArgumentException($"exec process spec has type URL '{spec.TypeUrl}', expected '{TypeUrl}' (OCI Process JSON)", nameof(spec));
        return FromJson(spec.Value.ToStringUtf8(), "exec process spec");
    }

    /// <param name="source">Named in errors (e.g. "exec process spec").</param>
    public static Process FromJson(string processJson, string source) =>
        OciProcessConversion.Convert(OciJsonNode.Parse(processJson, source));
}
