using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>OCI <c>process</c> JSON → agent <see cref="Process"/> (kata-agent-protocol.md §2.9.2).</summary>
internal static class OciProcessConversion
{
    public static Process Convert(OciJsonNode process)
    {
        var result = new Process
        {
            Terminal = process.Bool("terminal"),
            Cwd = process.String("cwd") ?? "",
            NoNewPrivileges = process.Bool("noNewPrivileges"),
            OOMScoreAdj = process.Int64("oomScoreAdj"),
            // ApparmorProfile and SelinuxLabel name host policies the guest does not have (Kata empties the label).
        };
        result.Args.AddRange(process.Strings("args"));
        foreach (var (entry, index) in process.Strings("env").Select((e, i) => (e, i)))
        {
            // The agent refuses the whole container with "Malformed OCI env entry"; say which one here.
            if (!entry.Contains('='))
            {
                throw new InvalidDataException(
                    $"{process.Source}: field '{process.Path}.env[{index}]' is \"{entry}\", which has no '='; every environment entry must be KEY=value");
            }
            result.Env.Add(entry);
        }
        if (process.Object("consoleSize") is { } box)
            result.ConsoleSize = new Box { Height = box.UInt32("height"), Width = box.UInt32("width") };
        result.User = ConvertUser(process.Object("user"));
        if (process.Object("capabilities") is { } caps)
        {
            var c = new LinuxCapabilities();
            c.Bounding.AddRange(caps.Strings("bounding"));
            c.Effective.AddRange(caps.Strings("effective"));
            c.Inheritable.AddRange(caps.Strings("inheritable"));
            c.Permitted.AddRange(caps.Strings("permitted"));
            c.Ambient.AddRange(caps.Strings("ambient"));
            result.Capabilities = c;
        }
        foreach (var limit in process.Array("rlimits"))
        {
            result.Rlimits.Add(new POSIXRlimit
            {
                Type = limit.String("type") ?? "",
                Hard = limit.UInt64("hard"),
                Soft = limit.UInt64("soft"),
            });
        }
        return result;
    }

    private static User ConvertUser(OciJsonNode? user)
    {
        // The agent needs a User even for root; absent = uid 0, gid 0 as the OCI default.
        var result = new User();
        if (user is not { } u) return result;
        result.UID = u.UInt32("uid");
        result.GID = u.UInt32("gid");
        result.AdditionalGids.AddRange(u.Array("additionalGids").Select(g => g.AsUInt32()));
        return result;
    }
}
