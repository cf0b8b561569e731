using Shim.Abstractions;

namespace Kataplug.Plugins.VhostUser;

/// <summary>The <c>[plugins.vhost-user]</c> table, validated.</summary>
internal sealed record VhostUserSettings(
    int ReconnectSeconds,
    int Queues,
    bool KataSocketConvention,
    string KataSocketDirectory,
    IReadOnlyList<VhostUserDeclaration> Sockets,
    string KeyPrefix)
{
    public static VhostUserSettings From(PluginSettings s)
    {
        var queues = (int)s.GetLong("queues", 1, 1, 64);
        return new VhostUserSettings(
            (int)s.GetLong("reconnect_seconds", 1, 0, 3600),
            queues,
            s.GetBool("kata_socket_convention", true),
            s.GetString("kata_socket_dir", "/tmp"),
            s.GetTableList("sockets").Select(t => VhostUserDeclaration.FromSettings(t, queues)).ToList(),
            s.KeyPrefix);
    }
}
