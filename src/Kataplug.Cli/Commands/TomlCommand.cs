using System.CommandLine;
using System.Text;
using Shim.Toml;

namespace Kataplug.Cli.Commands;

/// <summary>`kataplug toml decode`: the toml-test decoder interface (TOML on stdin, tagged JSON on stdout).</summary>
public static class TomlCommand
{
    public static Command Create()
    {
        var decode = new Command("decode", "Read TOML on stdin, print toml-test tagged JSON on stdout (exit 0), or an error on stderr (exit 1)");
        decode.SetAction(_ =>
        {
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            stdin.CopyTo(buffer);
            try
            {
                var table = TomlParser.Parse(buffer.ToArray(), "<stdin>");
                using var stdout = Console.OpenStandardOutput();
                var json = Encoding.UTF8.GetBytes(TomlTaggedJson.Write(table));
                stdout.Write(json);
                return 0;
            }
            catch (TomlException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        var toml = new Command("toml", "TOML tools");
        toml.Subcommands.Add(decode);
        return toml;
    }
}
