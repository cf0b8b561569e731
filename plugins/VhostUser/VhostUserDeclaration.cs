using System.Globalization;
using Shim.Abstractions;

namespace Kataplug.Plugins.VhostUser;

/// <summary>
/// One vhost-user NIC: guest interface name, backend socket, optional MAC and queue count, and where it was declared.
/// Declared by <c>[[plugins.vhost-user.sockets]]</c>, by an annotation
/// <c>vhost-user.kataplug.io/&lt;interface&gt; = "socket=/run/vpp/eth1.sock,mac=02:00:00:00:00:01,queues=2"</c>, or found
/// through Kata's <c>&lt;tmp&gt;/vhostuser_&lt;IP&gt;/vhu.sock</c> convention.
/// </summary>
internal sealed record VhostUserDeclaration(string Interface, string Socket, string? Mac, int Queues, string Source)
{
    public const string AnnotationPrefix = "vhost-user.kataplug.io/";

    public static VhostUserDeclaration FromSettings(PluginSettings t, int defaultQueues)
    {
        var iface = t.GetOptionalString("interface") ?? throw new PluginSettingsException(t.FullKey("interface"), $"{t.FullKey("interface")} is missing: name the guest interface, e.g. interface = \"eth1\"");
        var socket = t.GetOptionalString("socket") ?? throw new PluginSettingsException(t.FullKey("socket"), $"{t.FullKey("socket")} is missing: give the backend's socket path");
        return new VhostUserDeclaration(iface, socket, t.GetOptionalString("mac"), (int)t.GetLong("queues", defaultQueues, 1, 64), t.KeyPrefix);
    }

    /// <summary>Parses an annotation value; returns the declaration or the problem with it.</summary>
    public static (VhostUserDeclaration? Declaration, string? Problem) FromAnnotation(string key, string value, int defaultQueues)
    {
        var iface = key[AnnotationPrefix.Length..];
        string? socket = null, mac = null;
        var queues = defaultQueues;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var (k, v) = eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]);
            switch (k)
            {
                case "socket": socket = v; break;
                case "mac": mac = v; break;
                case "queues" when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q is >= 1 and <= 64: queues = q; break;
                default: return (null, $"annotation {key}: \"{part}\" is not understood; write \"socket=/path/to.sock[,mac=02:00:00:00:00:01][,queues=1..64]\"");
            }
        }
        if (iface.Length == 0 || iface.Length > 15) return (null, $"annotation {key}: the part after {AnnotationPrefix} must be the guest interface name (1-15 characters)");
        if (string.IsNullOrEmpty(socket)) return (null, $"annotation {key}: socket=<path> is missing");
        return (new VhostUserDeclaration(iface, socket, mac, queues, $"annotation {key}"), null);
    }
}
