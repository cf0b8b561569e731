using Shim.Containerd.Lifecycle;
using Shim.Containerd.Protos.Task;
using Shim.HostPci;
using Xunit.Abstractions;

namespace Shim.Containerd.Tests;

/// <summary>The built binary's start / delete contract, run as containerd runs it (cwd = bundle, stdin = options).</summary>
public sealed class ShimProcessContractTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    // ttrpc.md §10.4: Any{runtimeoptions.v1.Options{config_path: "/etc/kata/cfg.toml"}}.
    internal static readonly byte[] RuntimeOptionsStdin = Convert.FromHexString(
        "0a1972756e74696d656f7074696f6e732e76312e4f7074696f6e73" + "12141212" + "2f6574632f6b6174612f6366672e746f6d6c");

    private readonly ITestOutputHelper output;
    private readonly string root = Directory.CreateTempSubdirectory("kps-").FullName;
    private readonly string socketDirectory;
    private readonly string containerdAddress;

    public ShimProcessContractTests(ITestOutputHelper output)
    {
        this.output = output;
        socketDirectory = Path.Combine(root, "s");
        containerdAddress = Path.Combine(root, "c.sock");
    }

    [Fact]
    public async Task Start_PrintsOnlyTheAddress_ThenDeleteAnswers137_KillsTheDaemon_AndIsIdempotent()
    {
        var bundle = Bundle("t1", "{}");
        var start = await Shim(bundle, "t1", "start", RuntimeOptionsStdin);
        output.WriteLine($"start: {start}");
        var expectedSocket = ShimSocketAddress.SocketPath(socketDirectory, containerdAddress, "ns1", "t1");
        start.ExitCode.ShouldBe(0, start.ToString());
        start.StdoutText.ShouldBe("unix://" + expectedSocket); // nothing else, not even a newline
        start.Stderr.ShouldBeEmpty();
        (await File.ReadAllTextAsync(Path.Combine(bundle, "address"))).ShouldBe(start.StdoutText);
        ShimStart.Accepts(expectedSocket).ShouldBeTrue();
        var daemon = ShimPidFile.Read(bundle).ShouldNotBeNull();
        var argv = ChildProcess.CommandLine(daemon);
        argv.ShouldContain("serve");
        argv.ShouldContain("/etc/kata/cfg.toml"); // runtime options read from stdin reach the daemon

        var delete = await Shim(bundle, "t1", "delete", null);
        output.WriteLine($"delete (daemon alive): {delete}");
        AssertDeleteResponse(delete);
        await BoundedPoll.UntilAsync(() => ProcessTable.IsGone(daemon), Patience, () => $"daemon {daemon} survived delete", CancellationToken.None);
        File.Exists(expectedSocket).ShouldBeFalse();

        var again = await Shim(bundle, "t1", "delete", null);
        output.WriteLine($"delete (again): {again}");
        AssertDeleteResponse(again);
    }

    [Fact]
    public async Task Start_WhenTheDaemonCannotServe_ExitsNonZeroWithTheReason_AndLeavesNothingRunning()
    {
        var bundle = Bundle("t2", "{}");
        var socket = ShimSocketAddress.SocketPath(socketDirectory, containerdAddress, "ns1", "t2");
        Directory.CreateDirectory(socket); // a directory where the socket must go: bind() fails in the daemon

        var start = await Shim(bundle, "t2", "start", null);
        output.WriteLine(start.ToString());
        start.ExitCode.ShouldNotBe(0);
        start.Stderr.ShouldContain("before serving");
        start.Stderr.ShouldContain(socket);
        ProcessTable.PidsWhoseCommandLineContains(socket).ShouldBeEmpty();
        File.Exists(Path.Combine(bundle, ShimPidFile.FileName)).ShouldBeFalse();
        File.Exists(Path.Combine(bundle, "address")).ShouldBeFalse();
    }

    [Fact]
    public async Task Start_ForAPodContainer_PrintsItsSandboxDaemonsAddress_WithoutSpawning()
    {
        var sandbox = Bundle("sb1", """{"annotations":{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-id":"sb1"}}""");
        var container = Bundle("ct1", """{"annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":"sb1"}}""");

        var orphan = await Shim(container, "ct1", "start", null);
        orphan.ExitCode.ShouldNotBe(0);
        orphan.Stderr.ShouldContain("create the sandbox first");

        var sandboxStart = await Shim(sandbox, "sb1", "start", null);
        sandboxStart.ExitCode.ShouldBe(0, sandboxStart.ToString());
        var join = await Shim(container, "ct1", "start", null);
        join.ExitCode.ShouldBe(0, join.ToString());
        join.StdoutText.ShouldBe(sandboxStart.StdoutText);
        ProcessTable.PidsWhoseCommandLineContains(ShimSocketAddress.SocketPath(socketDirectory, containerdAddress, "ns1", "ct1")).ShouldBeEmpty();

        // The pod container's delete owns nothing: the sandbox daemon keeps serving.
        AssertDeleteResponse(await Shim(container, "ct1", "delete", null));
        ShimStart.Accepts(ShimSocketAddress.FromAddress(sandboxStart.StdoutText)).ShouldBeTrue();
        AssertDeleteResponse(await Shim(sandbox, "sb1", "delete", null));
        ShimStart.Accepts(ShimSocketAddress.FromAddress(sandboxStart.StdoutText)).ShouldBeFalse();
    }

    [Fact]
    public async Task Delete_WithNoBundleStateAtAll_StillAnswers()
    {
        var bundle = Path.Combine(root, "never-created");
        Directory.CreateDirectory(bundle);
        AssertDeleteResponse(await Shim(bundle, "gone", "delete", null));
    }

    [Fact]
    public async Task UnknownAction_ExitsNonZero_WithAOneLineReason()
    {
        var result = await Shim(Bundle("t3", "{}"), "t3", "frobnicate", null);
        result.ExitCode.ShouldNotBe(0);
        result.Stdout.ShouldBeEmpty();
        result.Stderr.Trim().ShouldContain("unknown action 'frobnicate'");
        result.Stderr.Trim().Split('\n').Length.ShouldBe(1);
    }

    private static void AssertDeleteResponse(ProcessResult delete)
    {
        delete.ExitCode.ShouldBe(0, delete.ToString());
        var response = DeleteResponse.Parser.ParseFrom(delete.Stdout);
        response.ExitStatus.ShouldBe(137u);
        response.ExitedAt.ToDateTimeOffset().ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        delete.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5)); // containerd's cleanup budget
    }

    private string Bundle(string id, string configJson)
    {
        var bundle = Path.Combine(root, "bundles", id);
        Directory.CreateDirectory(bundle);
        File.WriteAllText(Path.Combine(bundle, "config.json"), configJson);
        return bundle;
    }

    private Task<ProcessResult> Shim(string bundle, string id, string action, byte[]? stdin)
    {
        string[] args = ["-namespace", "ns1", "-address", containerdAddress, "-publish-binary", "/usr/bin/containerd", "-id", id];
        if (action == "delete")
        {
            args = [.. args, "-bundle", bundle];
        }
        return ProcessRunner.RunAsync(ShimBinary.Path, [.. args, action], Patience, bundle,
            new Dictionary<string, string> { [ShimSocketAddress.DirectoryEnvironmentVariable] = socketDirectory, ["TTRPC_ADDRESS"] = "" },
            stdin ?? []);
    }

    public void Dispose()
    {
        foreach (var pid in ProcessTable.PidsWhoseCommandLineContains(root))
        {
            ChildProcess.Kill(pid);
        }
        Directory.Delete(root, recursive: true);
    }
}
