using System.CommandLine;
using Shim.Configuration;

namespace Kataplug.Cli.Commands;

/// <summary>`kataplug config check [FILE] [--annotation K=V ...]`: validate and print the effective configuration.</summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = $"Configuration file; default: ${ConfigFileResolver.EnvironmentVariable}, then {ConfigFileResolver.SystemDefaultPath}, then the embedded default",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var annotation = new Option<string[]>("--annotation", "-a")
        {
            Description = "Pod annotation KEY=VALUE to apply (repeatable), e.g. io.katacontainers.config.hypervisor.pcie_root_port=8",
            AllowMultipleArgumentsPerToken = false,
        };
        var showIgnored = new Option<bool>("--show-ignored")
        {
            Description = "List the keys and annotations kataplug accepts but does not use",
        };
        var check = new Command("check", "Validate a configuration and print every effective value with its origin (exit 0), or every problem with file:line:column (exit 1)");
        check.Arguments.Add(file);
        check.Options.Add(annotation);
        check.Options.Add(showIgnored);
        check.SetAction(parse => ConfigCheck.Run(
            parse.GetValue(file),
            parse.GetValue(annotation) ?? [],
            Environment.GetEnvironmentVariable(ConfigFileResolver.EnvironmentVariable),
            parse.GetValue(showIgnored),
            PhysicalConfigurationFileSystem.Instance,
            Console.Out,
            Console.Error));

        var config = new Command("config", "Configuration tools");
        config.Subcommands.Add(check);
        return config;
    }
}
