using System.Globalization;
using System.Text;
using Shim.Toml;

namespace Shim.Configuration.Loading;

/// <summary>Renders values back in TOML syntax for messages and for `config check`.</summary>
public static class TomlText
{
    public static string Render(TomlNode node) => node switch
    {
        TomlValue v => RenderScalar(v.Value),
        TomlArray a => "[" + string.Join(", ", a.Select(Render)) + "]",
        TomlTable t => "{ " + string.Join(", ", t.Select(kv => $"{kv.Key} = {Render(kv.Value)}")) + " }",
        _ => node.ToString() ?? "",
    };

    public static string RenderScalar(object? value) => value switch
    {
        null => "\"\"",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        double d => RenderFloat(d),
        DateTimeOffset o => o.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateTime l => l.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(RenderScalar)) + "]",
        _ => value.ToString() ?? "",
    };

    private static string RenderFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>"a string", "an integer", ... for type errors.</summary>
    public static string KindName(TomlNode node) => node switch
    {
        TomlArray => "an array",
        TomlTable => "a table",
        TomlValue { Kind: TomlValueKind.String } => "a string",
        TomlValue { Kind: TomlValueKind.Integer } => "an integer",
        TomlValue { Kind: TomlValueKind.Float } => "a float",
        TomlValue { Kind: TomlValueKind.Boolean } => "a boolean",
        _ => "a date/time",
    };
}
