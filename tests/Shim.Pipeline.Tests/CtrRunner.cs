using System.Text.RegularExpressions;
using Shim.Containerd.Tests;
using Shim.HostPci;

namespace Shim.Pipeline.Tests;

/// <summary>
/// <c>ctr run</c> through kataplug with a given configuration and rootfs, against the private containerd: the
/// argument lists the end-to-end tests share, and a bounded wait for a task to reach a status.
/// </summary>
public sealed partial class CtrRunner(ContainerdFixture containerd, string rootfs)
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public ContainerdFixture Containerd => containerd;

    /// <summary><c>ctr run --rm</c> arguments (after <c>ctr --address … -n …</c>); <paramref name="options"/> go before --rootfs.</summary>
    public IReadOnlyList<string> RunArguments(string id, string config, IEnumerable<string> options, IEnumerable<string> command) =>
        ["run", "--rm", "--fifo-dir", containerd.FifoDirectory, "--runtime", ContainerdFixture.Runtime,
            "--runtime-config-path", config, .. options, "--rootfs", rootfs, id, .. command];

    /// <summary>The full <c>ctr</c> command line (binary first), for running it under another program (script).</summary>
    public IReadOnlyList<string> FullCommand(IEnumerable<string> ctrArguments) =>
        [containerd.CtrBinary, "--address", containerd.GrpcAddress, "-n", ContainerdFixture.Namespace, .. ctrArguments];

    /// <summary>Runs a container to its end; ctr's exit code is the container's.</summary>
    public Task<ProcessResult> RunAsync(string id, string config, params string[] command) =>
        containerd.CtrAsync(Patience, [.. RunArguments(id, config, [], command)]);

    /// <summary>Runs a container with <paramref name="stdin"/> streamed in while its stdout is read.</summary>
    public Task<ProcessResult> RunWithStdinAsync(string id, string config, ReadOnlyMemory<byte> stdin, params string[] command) =>
        StreamingProcess.RunAsync(containerd.CtrBinary, FullCommand(RunArguments(id, config, [], command)).Skip(1), stdin, Patience);

    /// <summary>
    /// Starts <c>ctr run --rm</c> without waiting for it (its result is the container's end) and returns once
    /// containerd reports the task RUNNING.
    /// </summary>
    public Task<BackgroundContainer> StartAsync(string id, string config, params string[] command) =>
        StartAsync(id, config, [], command);

    /// <inheritdoc cref="StartAsync(string, string, string[])"/>
    public async Task<BackgroundContainer> StartAsync(string id, string config, IEnumerable<string> options, params string[] command)
    {
        var run = containerd.CtrAsync(Patience, [.. RunArguments(id, config, options, command)]);
        var container = new BackgroundContainer(this, id, run);
        try
        {
            await WaitForStatusAsync(id, "RUNNING", run);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        return container;
    }

    /// <summary>The task's status column in <c>ctr task ls</c>, or null when there is no such task.</summary>
    public string? Status(string id)
    {
        var ls = containerd.CtrAsync("task", "ls").GetAwaiter().GetResult();
        var match = TaskRow().Matches(ls.StdoutText).FirstOrDefault(m => m.Groups[1].Value == id);
        return match?.Groups[3].Value;
    }

    /// <summary>Polls <c>ctr task ls</c> until <paramref name="id"/> has <paramref name="status"/>; fails early when <paramref name="run"/> ends first.</summary>
    public Task WaitForStatusAsync(string id, string status, Task<ProcessResult>? run = null) =>
        BoundedPoll.UntilAsync(
            () => run is { IsCompleted: true } ? throw new InvalidOperationException($"ctr run {id} ended before the task was {status}: {run.Result}") : Status(id) == status,
            Patience,
            () => $"task {id} not {status} (now {Status(id) ?? "absent"}); containerd log tail: {Tail(containerd.Log)}",
            CancellationToken.None);

    public static string Tail(string log, int lines = 40) => string.Join('\n', log.Split('\n').TakeLast(lines));

    [GeneratedRegex(@"^(\S+)\s+(\d+)\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TaskRow();
}

/// <summary>A container started by <see cref="CtrRunner.StartAsync"/>; disposal SIGKILLs it if it is still there and waits for ctr.</summary>
public sealed class BackgroundContainer(CtrRunner runner, string id, Task<ProcessResult> run) : IAsyncDisposable
{
    public string Id => id;

    /// <summary>ctr's result: completes when the container has ended and been removed (--rm).</summary>
    public Task<ProcessResult> Run => run;

    public async ValueTask DisposeAsync()
    {
        if (!run.IsCompleted)
        {
            await runner.Containerd.CtrAsync("task", "kill", "-s", "SIGKILL", id);
        }
        try
        {
            await run.WaitAsync(CtrRunner.Patience);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            // The test already failed on its own assertion; its output says more than this would.
        }
    }
}
