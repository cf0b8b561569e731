using System.CommandLine;
using Shim.PluginHost.Loading;

namespace Kataplug.Cli.Commands;

/// <summary>
/// `kataplug plugins`: load every plugin under the plugins directory exactly as the shim would (same ownership, mode,
/// symlink and contract checks) and list what loaded and what was refused, with the reason. Exit 0 when everything
/// loaded, 2 when some plugin was refused, 1 when the directory itself is missing or unsafe.
/// </summary>
public static class PluginsCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir")
        {
            Description = $"Plugins directory (the configuration's [plugins] directory; default {PluginLoaderOptions.DefaultPluginsDirectory})",
            DefaultValueFactory = _ => PluginLoaderOptions.DefaultPluginsDirectory,
        };
        var json = new Option<bool>("--json") { Description = "Print the catalog as JSON" };
        var command = new Command("plugins", "List endpoint plugins: found, loaded, refused and why") { dir, json };
        command.SetAction(parse =>
        {
            var catalog = new PluginLoader(new PluginLoaderOptions(parse.GetValue(dir)!)).LoadAll();
            Console.Out.Write(parse.GetValue(json) ? catalog.ToJson() + "\n" : PluginCatalogTable.Format(catalog));
            return catalog.DirectoryProblem is not null ? 1 : catalog.Refused.Any() ? 2 : 0;
        });
        return command;
    }
}
