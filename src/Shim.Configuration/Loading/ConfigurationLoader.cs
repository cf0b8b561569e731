using System.Collections.Immutable;
using Shim.Configuration.Loading;
using Shim.Toml;

namespace Shim.Configuration;

/// <summary>Turns a configuration.toml (a real Kata file or a kataplug one) plus a pod's annotations into the
/// effective <see cref="KataplugConfiguration"/>. Pure: no I/O. Collects every problem before throwing.</summary>
public static class ConfigurationLoader
{
    private static readonly IReadOnlyDictionary<string, string> NoAnnotations = new Dictionary<string, string>();

    /// <summary>Parses and validates. Throws <see cref="ConfigurationException"/> listing every problem
    /// (TOML syntax errors included, with file:line:column).</summary>
    /// <param name="sourceName">Used in messages and origins, e.g. "/etc/kataplug/configuration.toml".</param>
    /// <param name="annotations">The pod's annotations (all of them; non-Kata ones are skipped), or null.</param>
    public static KataplugConfiguration Load(ReadOnlySpan<byte> utf8, string sourceName, IReadOnlyDictionary<string, string>? annotations = null)
    {
        TomlTable root;
        try
        {
            root = TomlParser.Parse(utf8, sourceName);
        }
        catch (TomlException e)
        {
            throw new ConfigurationException([new ConfigurationProblem(ValueOrigin.InFile(e.SourceName, e.Position), "", "", null, $"invalid TOML: {e.Problem}")]);
        }
        return Load(root, sourceName, annotations);
    }

    /// <summary>Validates an already parsed document.</summary>
    public static KataplugConfiguration Load(TomlTable root, string sourceName, IReadOnlyDictionary<string, string>? annotations = null)
    {
        var ctx = new LoadContext(sourceName);
        var tables = DocumentLayout.Split(root, ctx);

        var qemu = new SectionReader(ctx, QemuSettingsReader.Section, tables.Qemu, strict: false);
        var runtime = new SectionReader(ctx, "runtime", tables.Runtime, strict: false);
        var agent = new SectionReader(ctx, "agent.kata", tables.Agent, strict: false);
        var host = new SectionReader(ctx, "host", tables.Host, strict: true);
        var plugins = new SectionReader(ctx, PluginSettingsReader.Section, tables.Plugins, strict: true);

        var enableAnnotations = QemuSettingsReader.ReadEnableAnnotations(qemu);
        var overrides = AnnotationOverrideBuilder.Build(annotations ?? NoAnnotations, enableAnnotations, ctx);
        qemu.SetOverrides(overrides.Hypervisor);
        runtime.SetOverrides(overrides.Runtime);

        var config = new KataplugConfiguration(
            SourceName: sourceName,
            Hypervisor: QemuSettingsReader.ApplyPlugModeExclusion(QemuSettingsReader.Read(qemu, enableAnnotations)),
            Runtime: KataSectionReaders.ReadRuntime(runtime),
            Agent: KataSectionReaders.ReadAgent(agent),
            Plugins: PluginSettingsReader.Read(plugins, ctx),
            Host: HostSettingsReader.Read(host),
            IgnoredKeys: []);
        foreach (var reader in new[] { qemu, runtime, agent, host, plugins }) reader.Finish();
        CrossChecks.Run(config, ctx);

        // Document order first (what an operator fixes top to bottom), then annotation problems.
        if (ctx.Problems.Count > 0)
            throw new ConfigurationException(ctx.Problems
                .OrderBy(p => p.Where.Kind == OriginKind.File ? 0 : 1)
                .ThenBy(p => p.Where.Position.Line)
                .ThenBy(p => p.Where.Position.Column)
                .ToImmutableArray());
        return config with { IgnoredKeys = [.. ctx.Ignored] };
    }
}
