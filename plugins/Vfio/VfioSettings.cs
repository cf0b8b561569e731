using Shim.Abstractions;

namespace Kataplug.Plugins.Vfio;

/// <summary>The <c>[plugins.vfio]</c> table, validated.</summary>
internal sealed record VfioSettings(bool UseCdiAnnotations, IReadOnlyList<string> CdiSpecDirectories, string KeyPrefix)
{
    public static readonly string[] DefaultCdiDirectories = ["/etc/cdi", "/var/run/cdi"];

    public static VfioSettings From(PluginSettings s)
    {
        var dirs = s.GetStringList("cdi_spec_dirs");
        return new VfioSettings(s.GetBool("use_cdi_annotations", true), dirs.Count > 0 ? dirs : DefaultCdiDirectories, s.KeyPrefix);
    }
}
