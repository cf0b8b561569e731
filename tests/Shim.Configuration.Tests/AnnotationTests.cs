namespace Shim.Configuration.Tests;

public class AnnotationTests
{
    private const string H = KataAnnotations.HypervisorPrefix;
    private const string AllowPcie = "[hypervisor.qemu]\nenable_annotations = [\"pcie_.*\", \"cold_plug_vfio\", \"hot_plug_vfio\", \"default_max_vcpus\", \"enable_iommu\", \"kernel_params\"]\n";

    [Fact]
    public void An_allowed_annotation_overrides_the_file_and_its_origin_is_the_annotation()
    {
        var c = TestConfig.Load(AllowPcie + "pcie_root_port = 2\n", TestConfig.Annotations((H + "pcie_root_port", "8")));
        c.Hypervisor.PcieRootPort.Value.ShouldBe(8);
        c.Hypervisor.PcieRootPort.Origin.ShouldBe(ValueOrigin.FromAnnotation(H + "pcie_root_port"));
        c.Hypervisor.PcieRootPort.Origin.ToString().ShouldBe("annotation io.katacontainers.config.hypervisor.pcie_root_port");
    }

    [Fact]
    public void A_refused_annotation_is_a_problem_naming_enable_annotations()
    {
        var problem = TestConfig.SingleProblem("", TestConfig.Annotations((H + "pcie_root_port", "8")));
        problem.ShouldBe("annotation io.katacontainers.config.hypervisor.pcie_root_port: io.katacontainers.config.hypervisor.pcie_root_port = \"8\": "
            + "annotation not enabled: add a regular expression matching \"pcie_root_port\" to [hypervisor.qemu] enable_annotations "
            + "(now [\"enable_iommu\", \"kernel_params\", \"kernel_verity_params\"], default) to let pods set it, and list the annotation in the CRI runtime's pod_annotations");
    }

    [Fact]
    public void Runtime_annotations_are_gated_too()
    {
        TestConfig.SingleProblem("", TestConfig.Annotations((KataAnnotations.RuntimePrefix + "vfio_mode", "vfio")))
            .ShouldContain("add a regular expression matching \"vfio_mode\" to [hypervisor.qemu] enable_annotations");
        TestConfig.Load("[hypervisor.qemu]\nenable_annotations = [\"vfio_mode\"]\n", TestConfig.Annotations((KataAnnotations.RuntimePrefix + "vfio_mode", "vfio")))
            .Runtime.VfioMode.Value.ShouldBe(VfioMode.Vfio);
    }

    [Fact]
    public void Annotation_values_are_validated_like_the_file()
    {
        var problems = TestConfig.Problems(AllowPcie, TestConfig.Annotations(
            (H + "pcie_root_port", "20"), (H + "cold_plug_vfio", "rp"), (H + "enable_iommu", "yes")));
        problems.Select(p => p.ToString()).ShouldBe([
            "annotation io.katacontainers.config.hypervisor.cold_plug_vfio: [hypervisor.qemu] cold_plug_vfio = \"rp\": must be one of \"no-port\", \"bridge-port\", \"root-port\", \"switch-port\"",
            "annotation io.katacontainers.config.hypervisor.enable_iommu: [hypervisor.qemu] enable_iommu = \"yes\": must be true or false",
            "annotation io.katacontainers.config.hypervisor.pcie_root_port: [hypervisor.qemu] pcie_root_port = \"20\": must be between 0 and 16 (the q35 limit); Kata clamps larger values silently, kataplug refuses them",
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("0", false)]
    [InlineData("False", false)]
    public void Boolean_annotations_follow_Go_ParseBool(string text, bool expected)
    {
        TestConfig.Load(AllowPcie, TestConfig.Annotations((H + "enable_iommu", text))).Hypervisor.EnableIommu.Value.ShouldBe(expected);
    }

    [Fact]
    public void Default_max_vcpus_annotation_sets_default_maxvcpus()
    {
        var q = TestConfig.Load(AllowPcie, TestConfig.Annotations((H + "default_max_vcpus", "8"))).Hypervisor;
        q.DefaultMaxVcpus.Value.ShouldBe(8);
        q.DefaultMaxVcpus.Origin.Source.ShouldBe(H + "default_max_vcpus");
    }

    [Fact]
    public void Kernel_params_annotation_is_appended_to_the_file_value()
    {
        var q = TestConfig.Load(AllowPcie + "kernel_params = \"console=ttyS0\"\n", TestConfig.Annotations((H + "kernel_params", "quiet"))).Hypervisor;
        q.KernelParams.Value.ShouldBe("console=ttyS0 quiet");
        q.KernelParams.Origin.ToString().ShouldBe("annotation io.katacontainers.config.hypervisor.kernel_params (appended to test.toml:3:17)");
    }

    [Fact]
    public void Cold_plug_annotation_resets_hot_plug_from_the_file_visibly()
    {
        var q = TestConfig.Load(AllowPcie + "hot_plug_vfio = \"root-port\"\n", TestConfig.Annotations((H + "cold_plug_vfio", "root-port"))).Hypervisor;
        q.ColdPlugVfio.Value.ShouldBe(PciePortType.RootPort);
        q.HotPlugVfio.Value.ShouldBe(PciePortType.NoPort);
        q.HotPlugVfio.Origin.ToString().ShouldBe("annotation io.katacontainers.config.hypervisor.cold_plug_vfio (reset to no-port because cold plug was set by annotation)");
    }

    [Fact]
    public void Hot_plug_annotation_resets_cold_plug_from_the_file()
    {
        var q = TestConfig.Load(AllowPcie + "cold_plug_vfio = \"root-port\"\n", TestConfig.Annotations((H + "hot_plug_vfio", "switch-port"))).Hypervisor;
        q.HotPlugVfio.Value.ShouldBe(PciePortType.SwitchPort);
        q.ColdPlugVfio.Value.ShouldBe(PciePortType.NoPort);
    }

    [Fact]
    public void Both_plug_annotations_enabled_is_refused_instead_of_Kata_silently_picking_cold()
    {
        var problem = TestConfig.SingleProblem(AllowPcie, TestConfig.Annotations((H + "hot_plug_vfio", "root-port"), (H + "cold_plug_vfio", "root-port")));
        problem.ShouldStartWith("annotation io.katacontainers.config.hypervisor.hot_plug_vfio: [hypervisor.qemu] hot_plug_vfio = \"root-port\": cold_plug_vfio = \"root-port\" (annotation io.katacontainers.config.hypervisor.cold_plug_vfio) is also set");
    }

    [Fact]
    public void The_effective_configuration_is_revalidated_after_annotations()
    {
        var problem = TestConfig.SingleProblem(AllowPcie + "machine_type = \"pc\"\n", TestConfig.Annotations((H + "cold_plug_vfio", "root-port")));
        problem.ShouldStartWith("annotation io.katacontainers.config.hypervisor.cold_plug_vfio: [hypervisor.qemu] cold_plug_vfio = \"root-port\": needs a PCIe machine type");
    }

    [Fact]
    public void Allowed_but_unimplemented_and_foreign_Kata_annotations_are_ignored_others_are_skipped()
    {
        var c = TestConfig.Load("[hypervisor.qemu]\nenable_annotations = [\".*\"]\n", TestConfig.Annotations(
            (H + "virtio_fs_extra_args", "[]"),
            ("io.katacontainers.config.agent.enable_tracing", "true"),
            ("io.kubernetes.cri.sandbox-name", "pod")));
        c.IgnoredKeys.ShouldContain(k => k.Key == H + "virtio_fs_extra_args" && k.Reason.Contains("not implemented"));
        c.IgnoredKeys.ShouldContain(k => k.Key == "io.katacontainers.config.agent.enable_tracing");
        c.IgnoredKeys.ShouldNotContain(k => k.Key == "io.kubernetes.cri.sandbox-name");
    }

    [Fact]
    public void File_problems_and_annotation_problems_are_all_reported_file_first()
    {
        var problems = TestConfig.Problems("[hypervisor.qemu]\npcie_root_port = 17\n", TestConfig.Annotations((H + "pcie_switch_port", "2")));
        problems.Count.ShouldBe(2);
        problems[0].Where.Kind.ShouldBe(OriginKind.File);
        problems[1].Where.Kind.ShouldBe(OriginKind.Annotation);
    }

    [Theory]
    [InlineData("pcie_.*", "pcie_root_port", true)]
    [InlineData("pcie", "pcie_root_port", false)]          // the whole suffix must match
    [InlineData("root_port", "pcie_root_port", false)]     // not a substring search
    [InlineData("enable_iommu|enable_iommu_platform", "enable_iommu_platform", false)] // Go leftmost-first: matches "enable_iommu" only
    [InlineData("enable_iommu_platform|enable_iommu", "enable_iommu_platform", true)]
    [InlineData(".*", "anything", true)]
    public void Enable_annotations_matches_like_Kata(string pattern, string suffix, bool allowed)
    {
        AnnotationAllowList.Create([pattern]).IsAllowed(suffix).ShouldBe(allowed);
    }

    [Fact]
    public void Config_path_needs_the_exact_entry_a_wildcard_does_not_enable_it()
    {
        AnnotationAllowList.Create([".*"]).AllowsConfigPath.ShouldBeFalse();
        AnnotationAllowList.Create(["config_path"]).AllowsConfigPath.ShouldBeTrue();
    }
}
