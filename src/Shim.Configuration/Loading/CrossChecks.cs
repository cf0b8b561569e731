namespace Shim.Configuration.Loading;

/// <summary>Rules that involve several keys, run on the effective configuration (file + annotations) as a whole,
/// so an annotation can never produce a combination the file could not (Kata does not re-validate, W11).</summary>
internal static class CrossChecks
{
    private const string Q = QemuSettingsReader.Section;

    public static void Run(KataplugConfiguration c, LoadContext ctx)
    {
        var q = c.Hypervisor;
        if (q.ColdPlugVfio.Value != PciePortType.NoPort && q.HotPlugVfio.Value != PciePortType.NoPort)
            Report(ctx, q.HotPlugVfio, "hot_plug_vfio", TomlText.Quote(q.HotPlugVfio.Value.ToToml()),
                $"cold_plug_vfio = \"{q.ColdPlugVfio.Value.ToToml()}\" ({q.ColdPlugVfio.Origin}) is also set; only one of them can be enabled: set the other to \"no-port\"");

        foreach (var (setting, key) in new[] { (q.ColdPlugVfio, "cold_plug_vfio"), (q.HotPlugVfio, "hot_plug_vfio") })
        {
            if (setting.Value is PciePortType.RootPort or PciePortType.SwitchPort && !q.IsPcieMachine)
                Report(ctx, setting, key, TomlText.Quote(setting.Value.ToToml()),
                    $"needs a PCIe machine type (\"q35\" or \"virt\"), but machine_type = \"{q.MachineType.Value}\" ({q.MachineType.Origin})");
            if (setting.Value == PciePortType.BridgePort && q.DefaultBridges.Value == 0)
                Report(ctx, setting, key, TomlText.Quote(setting.Value.ToToml()),
                    $"needs at least one PCI bridge, but default_bridges = 0 ({q.DefaultBridges.Origin}): set default_bridges = 1");
        }

        if (q.EnableIommu.Value && q.MachineType.Value != "q35")
            Report(ctx, q.EnableIommu, "enable_iommu", "true",
                $"the virtual IOMMU (intel-iommu) exists only on q35, but machine_type = \"{q.MachineType.Value}\" ({q.MachineType.Origin})");

        if (q.Image.Value.Length > 0 && q.Initrd.Value.Length > 0)
            Report(ctx, q.Initrd, "initrd", TomlText.Quote(q.Initrd.Value),
                $"image = {TomlText.Quote(q.Image.Value)} ({q.Image.Origin}) is also set; set either image or initrd, not both");

        if (q.DefaultMaxVcpus.Value != 0 && q.DefaultMaxVcpus.Value < q.DefaultVcpus.Value)
            Report(ctx, q.DefaultMaxVcpus, "default_maxvcpus", q.DefaultMaxVcpus.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"is lower than default_vcpus = {q.DefaultVcpus.Value} ({q.DefaultVcpus.Origin}); raise it or set 0 (= host CPUs)");

        var p = c.Plugins;
        foreach (var rule in p.Rules.Where(r => !p.IsEnabled(r.Plugin)))
            ctx.Problem(rule.OriginOf("plugin"), $"[[plugins.rule]] #{rule.Index + 1}", "plugin", TomlText.Quote(rule.Plugin),
                $"is not in [plugins] enabled = [{ValueParsers.AllowedList(p.Enabled.Value)}] ({p.Enabled.Origin}); enable it or remove the rule");

        if (p.IsEnabled("vhost-user") && !q.HasSharedMemoryBackend)
            ctx.Problem(p.Enabled.Origin, PluginSettingsReader.Section, "enabled", TomlText.RenderScalar(p.Enabled.Value),
                $"the vhost-user plugin needs guest RAM in a shared memory backend, but shared_fs = \"{q.SharedFs.Value}\" ({q.SharedFs.Origin}), "
                + "file_mem_backend is empty and enable_hugepages = false: set shared_fs = \"virtio-fs\" or file_mem_backend = \"/dev/shm\"");
    }

    private static void Report<T>(LoadContext ctx, Setting<T> at, string key, string value, string message)
        => ctx.Problem(at.Origin, Q, key, value, message);
}
