using System.Text;
using Shim.Abstractions;

namespace Shim.PluginHost.Loading;

/// <summary>The human-readable form of a <see cref="PluginCatalog"/> (for <c>kataplug plugins</c>).</summary>
public static class PluginCatalogTable
{
    public static string Format(PluginCatalog catalog)
    {
        var text = new StringBuilder();
        text.Append("plugins directory: ").Append(catalog.PluginsDirectory).Append('\n');
        if (catalog.DirectoryProblem is not null)
            return text.Append("error: ").Append(catalog.DirectoryProblem).Append('\n').ToString();
        if (catalog.Entries.Count == 0)
            return text.Append("no plugin directories found\n").ToString();
        string[] header = ["DIRECTORY", "NAME", "STATUS", "VERSION", "CONTRACT", "KINDS"];
        var rows = catalog.Entries.Select(e => new[]
        {
            e.DirectoryName, e.Name ?? "-", e.Status.ToString().ToLowerInvariant(), e.Version ?? "-", e.ContractVersion ?? "-",
            e.Kinds.Count == 0 ? "-" : string.Join(",", e.Kinds.Select(k => k.ToText())),
        }).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => rows.Select(r => r[i].Length).Append(header[i].Length).Max()).ToArray();
        void Line(string[] cells) => text.Append(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd()).Append('\n');
        Line(header);
        for (var i = 0; i < rows.Count; i++)
        {
            Line(rows[i]);
            if (catalog.Entries[i].Reason is { } reason) text.Append("    ").Append(catalog.Entries[i].Refusal).Append(": ").Append(reason).Append('\n');
        }
        return text.ToString();
    }
}
