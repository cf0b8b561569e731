using System.Collections.Immutable;

namespace Shim.Configuration.Loading;

/// <summary>Sorts a pod's annotations into per-table overrides. Every io.katacontainers.config.hypervisor.* and
/// io.katacontainers.config.runtime.* annotation must be allowed by enable_annotations (kataplug gates the runtime
/// ones too, unlike Kata); a refused one is a problem that names enable_annotations. Allowed annotations that
/// kataplug does not implement, and other io.katacontainers.* annotations, are recorded as ignored.</summary>
internal static class AnnotationOverrideBuilder
{
    public sealed record Result(
        IReadOnlyDictionary<string, AnnotationOverride> Hypervisor,
        IReadOnlyDictionary<string, AnnotationOverride> Runtime);

    public static Result Build(
        IReadOnlyDictionary<string, string> annotations,
        Setting<ImmutableArray<string>> enableAnnotations,
        LoadContext ctx)
    {
        var allow = AnnotationAllowList.Create(enableAnnotations.Value);
        var hypervisor = new Dictionary<string, AnnotationOverride>(StringComparer.Ordinal);
        var runtime = new Dictionary<string, AnnotationOverride>(StringComparer.Ordinal);
        foreach (var (key, text) in annotations.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(KataAnnotations.Prefix, StringComparison.Ordinal)) continue;
            if (key == KataAnnotations.ConfigPath) continue; // decided by ConfigurationSelector before loading

            string suffix;
            IReadOnlyDictionary<string, string> keyMap;
            Dictionary<string, AnnotationOverride> target;
            string section;
            if (key.StartsWith(KataAnnotations.HypervisorPrefix, StringComparison.Ordinal))
            {
                (suffix, keyMap, target, section) = (key[KataAnnotations.HypervisorPrefix.Length..], KataAnnotations.HypervisorKeys, hypervisor, "hypervisor.qemu");
            }
            else if (key.StartsWith(KataAnnotations.RuntimePrefix, StringComparison.Ordinal))
            {
                (suffix, keyMap, target, section) = (key[KataAnnotations.RuntimePrefix.Length..], KataAnnotations.RuntimeKeys, runtime, "runtime");
            }
            else
            {
                ctx.Ignore("", key, ValueOrigin.FromAnnotation(key), "kataplug does not implement this Kata annotation");
                continue;
            }

            if (!allow.IsAllowed(suffix))
            {
                ctx.Problem(ValueOrigin.FromAnnotation(key), "", key, TomlText.Quote(text),
                    $"annotation not enabled: add a regular expression matching \"{suffix}\" to [hypervisor.qemu] enable_annotations "
                    + $"(now [{ValueParsers.AllowedList(enableAnnotations.Value)}], {enableAnnotations.Origin}) to let pods set it, "
                    + "and list the annotation in the CRI runtime's pod_annotations");
                continue;
            }
            if (!keyMap.TryGetValue(suffix, out var tomlKey))
            {
                ctx.Ignore(section, key, ValueOrigin.FromAnnotation(key), "allowed by enable_annotations but not implemented by kataplug");
                continue;
            }
            target[tomlKey] = new AnnotationOverride(key, text);
        }
        return new Result(hypervisor, runtime);
    }
}
