// kataplug: the operator CLI. Each subcommand lives in its own file under Commands/ and exposes Create().
using System.CommandLine;
using Kataplug.Cli.Commands;

namespace Kataplug.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("kataplug: operator tool for the io.containerd.kataplug.v2 runtime (Kata VMs with VFIO, SR-IOV and vhost-user endpoints)");
        root.Subcommands.Add(TomlCommand.Create());
        root.Subcommands.Add(PluginsCommand.Create());
        root.Subcommands.Add(InventoryCommand.Create());
        root.Subcommands.Add(BindCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
