namespace Shim.Containerd.Lifecycle;

/// <summary>
/// Hand-parses Go <c>flag</c> style: <c>-name value</c>, <c>-name=value</c>, <c>--name</c>, boolean <c>-debug</c>,
/// the action word last; unknown flags are ignored for forward compatibility (containerd-shim-v2.md §3.1).
/// </summary>
public static class ShimFlagParser
{
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "namespace", "address", "publish-binary", "id", "bundle", "socket", "runtime-config", "ready-fd",
    };

    private static readonly HashSet<string> BooleanFlags = new(StringComparer.Ordinal) { "debug", "v" };

    /// <exception cref="ShimUsageException">missing action, missing required flag or invalid identifier.</exception>
    public static ShimFlags Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var debug = false;
        string? action = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length > 1 && arg[0] == '-')
            {
                var name = arg.TrimStart('-');
                string? inline = null;
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    inline = name[(eq + 1)..];
                    name = name[..eq];
                }
                if (BooleanFlags.Contains(name))
                {
                    debug |= name == "debug" && (inline is null || inline is "true" or "1");
                }
                else if (ValueFlags.Contains(name))
                {
                    if (inline is null)
                    {
                        if (i + 1 >= args.Count)
                        {
                            throw new ShimUsageException($"flag -{name} needs a value");
                        }
                        inline = args[++i];
                    }
                    values[name] = inline;
                }
                // Unknown flags: ignored. One written as "-x value" leaves "value" behind, which the action
                // rule below tolerates because only the last word counts.
                continue;
            }
            action = arg;
        }

        var parsedAction = action switch
        {
            "start" => ShimAction.Start,
            "delete" => ShimAction.Delete,
            "serve" => ShimAction.Serve,
            null => throw new ShimUsageException("no action: expected start, delete or serve as the last argument"),
            _ => throw new ShimUsageException($"unknown action '{action}': expected start, delete or serve"),
        };
        var id = Require(values, "id");
        var ns = Require(values, "namespace");
        ContainerdIdentifier.Validate(id, "-id");
        ContainerdIdentifier.Validate(ns, "-namespace");
        values.TryGetValue("bundle", out var bundle);
        values.TryGetValue("socket", out var socket);
        if (parsedAction == ShimAction.Serve && string.IsNullOrEmpty(socket))
        {
            throw new ShimUsageException("serve needs -socket <path>");
        }
        return new ShimFlags(
            parsedAction,
            ns,
            values.GetValueOrDefault("address", ""),
            values.GetValueOrDefault("publish-binary", ""),
            id,
            string.IsNullOrEmpty(bundle) ? null : bundle,
            debug,
            string.IsNullOrEmpty(socket) ? null : socket,
            values.TryGetValue("runtime-config", out var config) && config.Length > 0 ? config : null,
            ReadyFd(values));
    }

    private static int? ReadyFd(Dictionary<string, string> values)
    {
        if (!values.TryGetValue("ready-fd", out var text))
        {
            return null;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd) && fd >= 3
            ? fd
            : throw new ShimUsageException($"flag -ready-fd '{text}' is not an fd number >= 3 (start passes 3)");
    }

    private static string Require(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new ShimUsageException($"flag -{name} is required (containerd always passes it)");
}
