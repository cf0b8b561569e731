using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>Finds the tables kataplug reads in a document. Other top-level tables ([factory], [image],
/// [hypervisor.clh], [agent.other]...) are Kata's and are ignored; a file with hypervisors but no
/// [hypervisor.qemu] is refused, because kataplug drives QEMU only and would silently use defaults.</summary>
internal static class DocumentLayout
{
    public sealed record Tables(TomlTable? Qemu, TomlTable? Runtime, TomlTable? Agent, TomlTable? Host, TomlTable? Plugins);

    public static Tables Split(TomlTable root, LoadContext ctx)
    {
        TomlTable? qemu = null, runtime = null, agent = null, host = null, plugins = null;
        foreach (var (key, node) in root)
        {
            switch (key)
            {
                case "hypervisor":
                    if (Table(root, key, node, ctx) is { } hv)
                    {
                        foreach (var (name, child) in hv)
                        {
                            if (name == "qemu") qemu = Table(hv, "hypervisor.qemu", child, ctx, name);
                            else ctx.Ignore("hypervisor", name, At(ctx, hv, name), "kataplug drives QEMU only");
                        }
                        if (qemu is null && hv.Count > 0)
                            ctx.Problem(At(ctx, root, key), "hypervisor", "", null,
                                $"no [hypervisor.qemu] table (found {string.Join(", ", hv.Keys.Select(k => $"hypervisor.{k}"))}); kataplug drives QEMU only: use a Kata QEMU configuration");
                    }
                    break;
                case "runtime": runtime = Table(root, key, node, ctx); break;
                case "host": host = Table(root, key, node, ctx); break;
                case "plugins": plugins = Table(root, key, node, ctx); break;
                case "agent":
                    if (Table(root, key, node, ctx) is { } ag)
                    {
                        foreach (var (name, child) in ag)
                        {
                            if (name == "kata") agent = Table(ag, "agent.kata", child, ctx, name);
                            else ctx.Ignore("agent", name, At(ctx, ag, name), "kataplug talks to the Kata agent only");
                        }
                    }
                    break;
                default:
                    ctx.Ignore("", key, At(ctx, root, key), "not used by kataplug");
                    break;
            }
        }
        return new Tables(qemu, runtime, agent, host, plugins);
    }

    private static TomlTable? Table(TomlTable parent, string name, TomlNode node, LoadContext ctx, string? keyInParent = null)
    {
        if (node is TomlTable t) return t;
        ctx.Problem(At(ctx, parent, keyInParent ?? name), "", name, TomlText.Render(node), $"must be a table ([{name}])");
        return null;
    }

    private static ValueOrigin At(LoadContext ctx, TomlTable table, string key) => ValueOrigin.InFile(ctx.SourceName, table.KeyPosition(key));
}
