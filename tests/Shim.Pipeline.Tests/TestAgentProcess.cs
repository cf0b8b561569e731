using System.Diagnostics;
using System.Text;

namespace Shim.Pipeline.Tests;

/// <summary>
/// <c>kataplug-test-agent</c> (tests/Shim.TestAgent, copied next to this assembly) running as its own process, the
/// way the shim meets a guest agent: a hybrid-vsock socket, one agent serving sandbox after sandbox
/// (<c>--serve-many</c>), guest paths under kataShared mapped to <c>--shared-root</c>, and every recorded call in a
/// JSON file. Disposal ends it by pid.
/// </summary>
public sealed class TestAgentProcess : IAsyncDisposable
{
    public const uint Port = 1024;
    private static readonly TimeSpan ReadyPatience = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder output = new();

    private TestAgentProcess(Process process, string directory)
    {
        this.process = process;
        Directory = directory;
    }

    /// <summary>A short directory of its own (unix socket paths are limited to 107 bytes).</summary>
    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "agent.sock");

    public string RecordPath => Path.Combine(Directory, "record.json");

    /// <summary>The <c>[agent.kata] address</c> that reaches this agent.</summary>
    public string Address => $"hvsock://{SocketPath}:{Port}";

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>What the agent printed so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The calls recorded so far (an empty record before the first one).</summary>
    public AgentRecordFile Record => AgentRecordFile.Read(RecordPath);

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "kataplug-test-agent");

    /// <summary>Starts the agent and returns once it printed <c>ready &lt;socket&gt;</c>.</summary>
    /// <param name="sharedRootTemplate">Host directory standing in for kataShared; <c>{sandbox}</c> is replaced by the sandbox id.</param>
    public static async Task<TestAgentProcess> StartAsync(string sharedRootTemplate, CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: build tests/Shim.Pipeline.Tests (it references tests/Shim.TestAgent)");
        }
        var directory = System.IO.Directory.CreateTempSubdirectory("kpa-").FullName;
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var agent = new TestAgentProcess(new Process { StartInfo = info }, directory);
        foreach (var arg in new[] { "--socket", agent.SocketPath, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--shared-root", sharedRootTemplate, "--serve-many", "--record", agent.RecordPath })
        {
            info.ArgumentList.Add(arg);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.process.OutputDataReceived += (_, e) =>
        {
            agent.Append(e.Data);
            if (e.Data == $"ready {agent.SocketPath}") ready.TrySetResult();
        };
        agent.process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        agent.process.EnableRaisingEvents = true;
        agent.process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"kataplug-test-agent exited before it was ready: {agent.Output}"));
        agent.process.Start();
        agent.process.BeginOutputReadLine();
        agent.process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(ReadyPatience, cancellationToken);
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
        return agent;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(ReadyPatience);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }
        process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
