using System.Diagnostics;
using System.Text.Json;
using Interface = Shim.Agent.Protocol.Interface;

namespace Shim.Agent.Tests;

public sealed class TestAgentExeTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    [Fact]
    public async Task The_exe_serves_hybrid_vsock_records_to_its_JSON_file_and_exits_after_DestroySandbox()
    {
        var directory = RunningAgent.NewDirectory();
        var socketPath = Path.Combine(directory, "kata.hvsock");
        var recordPath = Path.Combine(directory, "record.json");
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kataplug-test-agent"))
        {
            RedirectStandardOutput = true,
            ArgumentList = { "--socket", socketPath, "--record", recordPath },
        };
        using var agent = Process.Start(psi)!;
        try
        {
            (await agent.StandardOutput.ReadLineAsync(Ct)).ShouldBe($"ready {socketPath}");
            await using var client = await AgentClient.WaitForAgentAsync(new HybridVsockAgentEndpoint(socketPath), TimeSpan.FromSeconds(30), Ct);

            await client.UpdateInterfaceAsync(new Interface { Name = "eth0", HwAddr = "02:00:00:00:00:02", DevicePath = "03/01" }, Ct);
            await client.DestroySandboxAsync(Ct);
            await agent.WaitForExitAsync(Ct);

            agent.ExitCode.ShouldBe(0);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(recordPath, Ct));
            json.RootElement.GetProperty("interfaces")[0].GetProperty("devicePath").GetString().ShouldBe("03/01");
            json.RootElement.GetProperty("destroySandbox").GetInt32().ShouldBe(1);
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill();
            }
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task With_serve_many_and_shared_root_the_exe_serves_two_sandboxes_in_a_row_until_SIGTERM()
    {
        var directory = RunningAgent.NewDirectory();
        var socketPath = Path.Combine(directory, "kata.hvsock");
        var recordPath = Path.Combine(directory, "record.json");
        var template = Path.Combine(directory, "{sandbox}", "shared");
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "kataplug-test-agent"))
        {
            RedirectStandardOutput = true,
            ArgumentList = { "--socket", socketPath, "--record", recordPath, "--shared-root", template, "--serve-many" },
        };
        using var agent = Process.Start(psi)!;
        try
        {
            (await agent.StandardOutput.ReadLineAsync(Ct)).ShouldBe($"ready {socketPath}");
            foreach (var sandbox in new[] { "sb1", "sb2" })
            {
                await using var client = await AgentClient.WaitForAgentAsync(new HybridVsockAgentEndpoint(socketPath), TimeSpan.FromSeconds(30), Ct);
                (await ServeManyTests.RunSandboxAsync(client, template, sandbox)).ShouldBe($"{sandbox}\n");
            }
            agent.HasExited.ShouldBeFalse();

            using (var term = Process.Start("kill", ["-TERM", agent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(Ct);
            }
            await agent.WaitForExitAsync(Ct);

            agent.ExitCode.ShouldBe(0);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(recordPath, Ct));
            json.RootElement.GetProperty("createSandbox").EnumerateArray().Select(s => s.GetProperty("sandboxId").GetString()).ShouldBe(["sb1", "sb2"]);
            json.RootElement.GetProperty("destroySandbox").GetInt32().ShouldBe(2);
        }
        finally
        {
            if (!agent.HasExited)
            {
                agent.Kill();
            }
            Directory.Delete(directory, recursive: true);
        }
    }
}
