namespace Shim.Topology;

/// <summary>Port types and counts against the machine type, and the vIOMMU's needs.</summary>
internal static class MachineRules
{
    public static string NeedsMachineText(PlanContext ctx, TopologySetting modeSetting)
    {
        var type = modeSetting == TopologySetting.ColdPlugVfio ? ctx.S.ColdPlugVfio : ctx.S.HotPlugVfio;
        var needs = type == PortType.BridgePort ? "a PCI machine type (\"q35\", \"virt\" or \"pc\")" : "machine_type \"q35\" or \"virt\" (a PCIe root complex)";
        return $"{ctx.Is(modeSetting)} needs {needs}; {ctx.Is(TopologySetting.MachineType)}";
    }

    public static SettingChange[] MachineFix(PlanContext ctx) =>
        [SettingChange.Of(ctx.S, TopologySetting.MachineType, ChangeKind.Set, "q35")];

    public static void Check(PlanContext ctx, Demand demand)
    {
        var s = ctx.S;
        foreach (var setting in new[] { TopologySetting.ColdPlugVfio, TopologySetting.HotPlugVfio })
        {
            var type = setting == TopologySetting.ColdPlugVfio ? s.ColdPlugVfio : s.HotPlugVfio;
            if (!ctx.Family.Supports(type) && !demand.UnsupportedReported.Contains(setting))
            {
                ctx.Add(ProblemCode.PortTypeNeedsMachine, null, NeedsMachineText(ctx, setting), MachineFix(ctx));
            }
        }

        // Ports the machine cannot have are refused rather than silently not created.
        foreach (var setting in new[] { TopologySetting.PcieRootPort, TopologySetting.PcieSwitchPort })
        {
            var count = setting == TopologySetting.PcieRootPort ? s.PcieRootPort : s.PcieSwitchPort;
            if (count > 0 && !ctx.Family.HasPcieRootComplex())
            {
                var fix = ctx.Family == MachineFamily.Pc ? MachineFix(ctx) : [SettingChange.AtMost(s, setting, 0)];
                ctx.Add(ProblemCode.PortCountNeedsMachine, null,
                    $"{ctx.Is(setting)} needs machine_type \"q35\" or \"virt\" (a PCIe root complex); {ctx.Is(TopologySetting.MachineType)}", fix);
            }
        }

        // intel-iommu exists only on q35 (with a split irqchip for interrupt remapping and caching-mode for VFIO).
        if (s.EnableIommu && ctx.Family != MachineFamily.Q35)
        {
            var fix = ctx.Family == MachineFamily.Pc
                ? MachineFix(ctx)
                : [SettingChange.Of(s, TopologySetting.EnableIommu, ChangeKind.Set, "false")];
            ctx.Add(ProblemCode.IommuNeedsQ35, null,
                $"{ctx.Is(TopologySetting.EnableIommu)} needs machine_type \"q35\" (intel-iommu with a split irqchip); {ctx.Is(TopologySetting.MachineType)}", fix);
        }
    }
}
