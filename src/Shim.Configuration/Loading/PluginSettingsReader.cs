using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>[plugins], [plugins.settings.&lt;name&gt;], [[plugins.rule]] (kataplug's own tables: unknown keys are errors).</summary>
internal static partial class PluginSettingsReader
{
    public const string Section = "plugins";
    public const string DefaultDirectory = "/opt/kataplug/plugins";

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PluginName();

    public static PluginSettings Read(SectionReader r, LoadContext ctx)
    {
        var enabled = r.Read("enabled", ImmutableArray<string>.Empty, ValueParsers.StringList(ValidateName));
        foreach (var dup in enabled.Value.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
            ctx.Problem(enabled.Origin, Section, "enabled", TomlText.RenderScalar(enabled.Value),
                $"plugin {TomlText.Quote(dup.Key)} is listed {dup.Count()} times; list each plugin once");
        var directory = r.Read("directory", DefaultDirectory, ValueParsers.AbsolutePath(allowEmpty: false));
        var settings = ReadSettings(r, ctx, enabled.Value);
        var rules = ReadRules(r, ctx);
        return new PluginSettings(enabled, directory, settings, rules);
    }

    private static string? ValidateName(string name) =>
        PluginName().IsMatch(name) ? null : "is not a plugin name (lower-case letters, digits, '.', '_' and '-')";

    private static ImmutableDictionary<string, PluginSettingsTable> ReadSettings(SectionReader r, LoadContext ctx, ImmutableArray<string> enabled)
    {
        r.MarkRead("settings");
        var result = ImmutableDictionary.CreateBuilder<string, PluginSettingsTable>(StringComparer.Ordinal);
        if (r.Table is null || !r.Table.TryGetValue("settings", out var node)) return result.ToImmutable();
        if (node is not TomlTable settings)
        {
            ctx.Problem(ValueOrigin.InFile(ctx.SourceName, node.Position), Section, "settings", TomlText.Render(node),
                "must be a table of per-plugin tables, e.g. [plugins.settings.physical-vf]");
            return result.ToImmutable();
        }
        foreach (var (plugin, value) in settings)
        {
            var origin = ValueOrigin.InFile(ctx.SourceName, settings.KeyPosition(plugin));
            if (value is not TomlTable table)
            {
                ctx.Problem(origin, "plugins.settings", plugin, TomlText.Render(value),
                    $"must be a table: write [plugins.settings.{plugin}] followed by the plugin's keys");
                continue;
            }
            if (!enabled.Contains(plugin))
                ctx.Ignore("plugins.settings", plugin, origin, "plugin is not in [plugins] enabled");
            result[plugin] = new PluginSettingsTable(plugin, table, ctx.SourceName, origin);
        }
        return result.ToImmutable();
    }

    private static ImmutableArray<PluginRule> ReadRules(SectionReader r, LoadContext ctx)
    {
        r.MarkRead("rule");
        if (r.Table is null || !r.Table.TryGetValue("rule", out var node)) return [];
        if (node is not TomlArray array || array.Any(e => e is not TomlTable))
        {
            ctx.Problem(ValueOrigin.InFile(ctx.SourceName, node.Position), Section, "rule", TomlText.Render(node),
                "must be an array of tables: write each rule as [[plugins.rule]] followed by plugin = \"...\" and match keys");
            return [];
        }
        var rules = ImmutableArray.CreateBuilder<PluginRule>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var rule = ReadRule(i, (TomlTable)array[i], ctx);
            if (rule is not null) rules.Add(rule);
        }
        return rules.ToImmutable();
    }

    private static PluginRule? ReadRule(int index, TomlTable table, LoadContext ctx)
    {
        var section = $"[[plugins.rule]] #{index + 1}";
        var before = ctx.Problems.Count;
        var r = new SectionReader(ctx, section, table, strict: true);
        var plugin = r.Read("plugin", "", ValueParsers.Text(s => s.Length == 0 ? "must name a plugin" : ValidateName(s)));
        if (plugin.Origin.Kind == OriginKind.Default && !table.ContainsKey("plugin"))
            ctx.Problem(ValueOrigin.InFile(ctx.SourceName, table.Position), section, "plugin", null,
                "is required: name the plugin this rule applies to, e.g. plugin = \"physical-vf\"");

        InterfaceNameGlob? glob = null;
        r.Read<string?>("interface", null, ValueParsers.Text(s => { glob = InterfaceNameGlob.TryCreate(s, out var e); return e; }).Nullable());
        PciVendorDevice? vendorDevice = null;
        r.Read<string?>("vendor_device", null, ValueParsers.Text(s =>
            PciVendorDevice.TryParse(s, out vendorDevice) ? null : "must be a PCI \"vendor:device\" pair of 4-digit hex numbers, e.g. \"8086:154c\"").Nullable());
        var driver = r.Read<string?>("driver", null, ValueParsers.Text(s =>
            s.Length == 0 || s.Any(c => char.IsWhiteSpace(c) || c == '/') ? "must be a kernel driver name, e.g. \"iavf\"" : null).Nullable());
        AnnotationMatch? annotation = null;
        r.Read<string?>("annotation", null, ValueParsers.Text(s =>
        {
            var eq = s.IndexOf('=');
            if (eq <= 0) return "must be \"key=value\" (a pod annotation and the exact value it must have)";
            annotation = new AnnotationMatch(s[..eq], s[(eq + 1)..]);
            return null;
        }).Nullable());
        var action = r.Read("action", PluginRuleAction.Include, ValueParsers.Enum(ConfigurationNames.RuleActions));
        r.Finish();
        if (ctx.Problems.Count != before) return null;
        return new PluginRule(index, plugin.Value, glob, vendorDevice, driver.Value, annotation, action.Value,
            ValueOrigin.InFile(ctx.SourceName, table.Position))
        {
            FieldOrigins = table.ToImmutableDictionary(kv => kv.Key, kv => ValueOrigin.InFile(ctx.SourceName, kv.Value.Position), StringComparer.Ordinal),
        };
    }

    private static Func<RawInput, Parsed<string?>> Nullable(this Func<RawInput, Parsed<string>> inner) => input =>
    {
        var r = inner(input);
        return r.Ok ? Parsed<string?>.Success(r.Value, r.Note) : Parsed<string?>.Failure(r.Error!);
    };
}
