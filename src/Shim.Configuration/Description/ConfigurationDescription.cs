using System.Collections.Immutable;
using System.Text;
using Shim.Configuration.Loading;

namespace Shim.Configuration;

/// <summary>One effective value as `config check` prints it.</summary>
public sealed record DescribedValue(string Key, string Value, ValueOrigin Origin);

/// <summary>A TOML table of described values ("[[plugins.rule]]" entries are sections of their own).</summary>
public sealed record DescribedSection(string Header, ValueOrigin? Origin, ImmutableArray<DescribedValue> Values);

/// <summary>Renders the effective configuration as TOML with each value's origin as a trailing comment.</summary>
public static class ConfigurationDescription
{
    public static ImmutableArray<DescribedSection> Describe(KataplugConfiguration c)
    {
        var q = c.Hypervisor;
        var sections = ImmutableArray.CreateBuilder<DescribedSection>();
        sections.Add(Section("[hypervisor.qemu]",
            V("path", q.Path), V("kernel", q.Kernel), V("image", q.Image), V("initrd", q.Initrd), V("kernel_params", q.KernelParams),
            V("machine_type", q.MachineType), E("accelerator", q.Accelerator, x => x.ToToml()),
            V("default_vcpus", q.DefaultVcpus), V("default_maxvcpus", q.DefaultMaxVcpus), V("default_memory", q.DefaultMemoryMiB),
            V("memory_slots", q.MemorySlots), V("default_bridges", q.DefaultBridges), V("enable_iommu", q.EnableIommu),
            V("enable_iommu_platform", q.EnableIommuPlatform), E("cold_plug_vfio", q.ColdPlugVfio, x => x.ToToml()),
            E("hot_plug_vfio", q.HotPlugVfio, x => x.ToToml()), V("pcie_root_port", q.PcieRootPort), V("pcie_switch_port", q.PcieSwitchPort),
            V("shared_fs", q.SharedFs), V("file_mem_backend", q.FileMemBackend), V("enable_hugepages", q.EnableHugepages),
            V("enable_mem_prealloc", q.MemoryPrealloc), V("enable_vhost_user_store", q.EnableVhostUserStore),
            V("vhost_user_store_path", q.VhostUserStorePath), V("enable_annotations", q.EnableAnnotations)));
        var r = c.Runtime;
        sections.Add(Section("[runtime]", E("vfio_mode", r.VfioMode, x => x.ToToml()), V("enable_debug", r.EnableDebug),
            V("dan_conf", r.DanConf), V("pod_resource_api_sock", r.PodResourceApiSock)));
        var a = c.Agent;
        sections.Add(Section("[agent.kata]", V("dial_timeout", a.DialTimeoutSeconds), V("enable_debug", a.EnableDebug),
            V("debug_console_enabled", a.DebugConsoleEnabled), V("kernel_modules", a.KernelModules)));
        var p = c.Plugins;
        sections.Add(Section("[plugins]", V("enabled", p.Enabled), V("directory", p.Directory)));
        foreach (var (name, table) in p.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sections.Add(new DescribedSection($"[plugins.settings.{name}]", table.Origin,
                [.. table.Table.Select(kv => new DescribedValue(kv.Key, TomlText.Render(kv.Value),
                    ValueOrigin.InFile(table.SourceName, kv.Value.Position)))]));
        foreach (var rule in p.Rules)
        {
            var values = ImmutableArray.CreateBuilder<DescribedValue>();
            values.Add(new("plugin", TomlText.Quote(rule.Plugin), rule.OriginOf("plugin")));
            if (rule.Interface is not null) values.Add(new("interface", TomlText.Quote(rule.Interface.Pattern), rule.OriginOf("interface")));
            if (rule.VendorDevice is not null) values.Add(new("vendor_device", TomlText.Quote(rule.VendorDevice.ToString()), rule.OriginOf("vendor_device")));
            if (rule.Driver is not null) values.Add(new("driver", TomlText.Quote(rule.Driver), rule.OriginOf("driver")));
            if (rule.Annotation is not null) values.Add(new("annotation", TomlText.Quote(rule.Annotation.ToString()), rule.OriginOf("annotation")));
            values.Add(new("action", TomlText.Quote(rule.Action.ToToml()), rule.FieldOrigins.IsEmpty || rule.FieldOrigins.ContainsKey("action") ? rule.OriginOf("action") : ValueOrigin.Default));
            sections.Add(new DescribedSection("[[plugins.rule]]", rule.Origin, values.ToImmutable()));
        }
        var h = c.Host;
        sections.Add(Section("[host]", V("sysfs_root", h.SysfsRoot), V("state_dir", h.StateDir), V("allow_host_devices", h.AllowHostDevices)));
        return sections.ToImmutable();
    }

    /// <summary>TOML text: one "key = value  # origin" line per value, grouped by table.</summary>
    public static string Format(KataplugConfiguration c)
    {
        var sb = new StringBuilder();
        foreach (var section in Describe(c))
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(section.Header);
            if (section.Origin is not null) sb.Append("  # ").Append(section.Origin);
            sb.Append('\n');
            var width = section.Values.IsEmpty ? 0 : section.Values.Max(v => v.Key.Length + 3 + v.Value.Length);
            foreach (var v in section.Values)
            {
                var line = $"{v.Key} = {v.Value}";
                sb.Append(line).Append(' ', width - line.Length + 2).Append("# ").Append(v.Origin).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static DescribedSection Section(string header, params DescribedValue[] values) => new(header, null, [.. values]);

    private static DescribedValue V<T>(string key, Setting<T> s) => new(key, TomlText.RenderScalar(s.Value), s.Origin);

    private static DescribedValue E<T>(string key, Setting<T> s, Func<T, string> name) => new(key, TomlText.Quote(name(s.Value)), s.Origin);
}
