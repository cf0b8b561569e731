using Google.Protobuf;
using Shim.Agent.Protocol;

namespace Shim.Agent.Tests;

/// <summary>Minimal agent-form OCI requests (kata-agent-protocol.md §2.9.7) and I/O loops as Kata runs them.</summary>
internal static class Containers
{
    public const string Path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static Process Process(string cwd, params string[] args)
    {
        var process = new Process { User = new User(), Cwd = cwd };
        process.Args.AddRange(args);
        process.Env.Add(Path);
        return process;
    }

    public static CreateContainerRequest Create(string id, string rootfs, Process process)
    {
        var linux = new Linux { Resources = new LinuxResources() };
        linux.Namespaces.Add(new LinuxNamespace { Type = "mount" });
        linux.Namespaces.Add(new LinuxNamespace { Type = "ipc" });
        linux.Namespaces.Add(new LinuxNamespace { Type = "uts" });
        return new CreateContainerRequest
        {
            ContainerId = id,
            ExecId = id,
            OCI = new Spec { Version = "1.1.0", Process = process, Root = new Root { Path = rootfs }, Linux = linux },
        };
    }

    public static async Task RunAsync(AgentClient client, string id, string rootfs, params string[] args)
    {
        var ct = TestDeadline.Token;
        await client.CreateContainerAsync(Create(id, rootfs, Process("/", args)), ct);
        await client.StartContainerAsync(id, ct);
    }

    /// <summary>Reads one stream until the agent's empty reply (EOF).</summary>
    public static async Task<byte[]> ReadToEndAsync(AgentClient client, string id, string execId, bool stderr)
    {
        var ct = TestDeadline.Token;
        using var all = new MemoryStream();
        while (true)
        {
            var chunk = stderr ? await client.ReadStderrAsync(id, execId, ct) : await client.ReadStdoutAsync(id, execId, ct);
            if (chunk.IsEmpty)
            {
                return all.ToArray();
            }
            all.Write(chunk.Span);
        }
    }

    public static async Task<string> ReadTextAsync(AgentClient client, string id, string execId, bool stderr = false) =>
        System.Text.Encoding.UTF8.GetString(await ReadToEndAsync(client, id, execId, stderr));

    public static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);
}
