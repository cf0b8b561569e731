using System.CommandLine;
using Shim.Configuration;
using Shim.Sandbox.Preflight;

namespace Kataplug.Cli.Commands;

/// <summary>`kataplug plan`: discovery, planning and every preflight check, with no side effect.</summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Configuration file (default: $KATAPLUG_CONF_FILE, /etc/kataplug/configuration.toml, then the embedded default)" };
        var sysfsRoot = new Option<string?>("--sysfs-root") { Description = "Root under which sys/bus/pci is read (default: [host] sysfs_root, i.e. /)" };
        var device = new Option<string[]>("--device") { Description = "A PCI function to pass through as VFIO, dddd:bb:dd.f (repeatable); its whole IOMMU group goes with it" };
        var netns = new Option<string?>("--netns") { Description = "The pod network namespace the plugins inspect, e.g. /var/run/netns/pod1" };
        var annotation = new Option<string[]>("--annotation", "-a") { Description = "Pod annotation KEY=VALUE (repeatable), applied as enable_annotations allows" };
        var json = new Option<bool>("--json") { Description = "Print the plan or the report as JSON" };
        var plan = new Command("plan", "Discover, plan and validate a sandbox's devices without touching the host: prints the plan (exit 0) or every problem (exit 2); exit 1 when it could not run");
        foreach (var o in new Option[] { config, sysfsRoot, device, netns, annotation, json }) plan.Options.Add(o);
        plan.SetAction((parse, ct) => OperatorPlan.RunAsync(
            new OperatorPlanOptions(
                parse.GetValue(config), parse.GetValue(sysfsRoot), parse.GetValue(device) ?? [], parse.GetValue(netns),
                parse.GetValue(annotation) ?? [], parse.GetValue(json),
                Environment.GetEnvironmentVariable(ConfigFileResolver.EnvironmentVariable)),
            PhysicalConfigurationFileSystem.Instance, Console.Out, Console.Error, ct));
        return plan;
    }
}
