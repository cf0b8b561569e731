using System.CommandLine;
using Shim.HostPci;

namespace Kataplug.Cli.Commands;

/// <summary>
/// `kataplug bind`: move one whole IOMMU group to vfio-pci for a sandbox id, journaled exactly as the shim does it,
/// so `kataplug restore` (or the shim's delete) undoes it. For operators preparing a host and for the lab.
/// </summary>
public static class BindCommand
{
    public static Command Create()
    {
        var device = new Option<string?>("--device") { Description = "A PCI function (dddd:bb:dd.f); its whole IOMMU group is bound" };
        var group = new Option<int?>("--group") { Description = "An IOMMU group number" };
        var sandbox = new Option<string>("--sandbox") { Description = "Sandbox id that owns the claim", DefaultValueFactory = _ => "operator" };
        var state = new Option<string>("--state-dir") { Description = "Directory holding bindings/ and claims.json", DefaultValueFactory = _ => BindingJournal.DefaultStateDirectory };
        var root = new Option<string>("--sysfs-root") { Description = "Root that holds sys/, dev/ and proc/", DefaultValueFactory = _ => "/" };
        var allowHost = new Option<bool>("--allow-host-devices") { Description = "Bind even when a member drives an up host interface or a mounted disk ([host] allow_host_devices)" };
        var timeout = new Option<int>("--timeout-seconds") { Description = "Overall deadline", DefaultValueFactory = _ => 60 };
        var command = new Command("bind", "Bind a whole IOMMU group to vfio-pci (journaled; undo with `kataplug restore`)") { device, group, sandbox, state, root, allowHost, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))));
            try
            {
                var sysfs = new SysfsRoot(parse.GetValue(root)!);
                var number = ResolveGroup(sysfs, parse.GetValue(device), parse.GetValue(group));
                var binder = GroupBinder.Create(sysfs, parse.GetValue(state)!, new BindingOptions { AllowHostDevices = parse.GetValue(allowHost) });
                var bound = await binder.BindAsync(number, SandboxId.Require(parse.GetValue(sandbox)), deadline.Token).ConfigureAwait(false);
                Console.Out.WriteLine($"group {bound.Group} bound to vfio-pci for sandbox {bound.SandboxId}: {bound.VfioDevicePath}");
                foreach (var f in bound.Functions) Console.Out.WriteLine($"  {f.Address}  {f.Vendor:x4}:{f.DeviceId:x4}  {f.Driver ?? "-"}");
                return 0;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"kataplug bind: did not finish within {parse.GetValue(timeout)} s; `kataplug restore` returns what was bound");
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or TimeoutException or FormatException)
            {
                Console.Error.WriteLine("kataplug bind: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    private static int ResolveGroup(SysfsRoot sysfs, string? device, int? group)
    {
        if ((device is null) == (group is null)) throw new ArgumentException("give exactly one of --device BDF or --group N");
        if (group is { } n) return n;
        var address = PciAddress.Parse(device!);
        var function = PciInventory.ReadFunction(sysfs, address)
                       ?? throw new ArgumentException($"{address}: no such PCI function under {sysfs.PciDevicesDir}; list them with `kataplug inventory`");
        return function.IommuGroup
               ?? throw new InvalidOperationException($"{address} has no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on) to pass it through");
    }
}
