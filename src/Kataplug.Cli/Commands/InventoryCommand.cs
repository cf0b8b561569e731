using System.CommandLine;
using Shim.HostPci;

namespace Kataplug.Cli.Commands;

/// <summary>`kataplug inventory`: every IOMMU group, its members and drivers, VF/PF relations, and whether it can be assigned. Read-only.</summary>
public static class InventoryCommand
{
    public static Command Create()
    {
        var root = new Option<string>("--sysfs-root") { Description = "Root that holds sys/, dev/ and proc/ (tests point it at an emulated host)", DefaultValueFactory = _ => "/" };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of groups instead of a table" };
        var allowHost = new Option<bool>("--allow-host-devices") { Description = "Judge groups as if [host] allow_host_devices = true (up host NICs, mounted disks)" };
        var state = new Option<string>("--state-dir") { Description = "Where claims.json lives (shows which sandbox holds each group)", DefaultValueFactory = _ => BindingJournal.DefaultStateDirectory };
        var command = new Command("inventory", "List IOMMU groups, their PCI functions and drivers, and whether each group can be passed through") { root, json, allowHost, state };
        command.SetAction(parse =>
        {
            try
            {
                var inventory = PciInventory.Read(new SysfsRoot(parse.GetValue(root)!));
                var groups = InventoryReport.Build(inventory, parse.GetValue(allowHost));
                Console.Out.Write(parse.GetValue(json)
                    ? InventoryReport.ToJson(groups) + "\n"
                    : InventoryReport.ToTable(inventory.Facts, groups, new ClaimLedger(parse.GetValue(state)!).Snapshot(),
                        inventory.Functions.Values.Where(f => f.IommuGroup is null)));
                foreach (var warning in inventory.Warnings)
                    Console.Error.WriteLine("warning: " + warning);
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine("kataplug inventory: " + e.Message);
                return 1;
            }
        });
        return command;
    }
}
