using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.RuntimeOptions;
using Shim.Containerd.Protos.Task;
using Shim.Ttrpc;

namespace Shim.Benchmarks.ShimProcesses;

/// <summary>
/// Issue #7's process numbers, which BenchmarkDotNet's in-process loop cannot give: each run is a cold process.
/// <list type="bullet">
/// <item><c>start</c>: spawn until the address is printed (the daemon listens by then), target ≤ 150 ms;</item>
/// <item><c>delete</c>: with the daemon still running (it is killed, its socket removed);</item>
/// <item>Create → refusal: containerd's sequence — <c>start</c>, connect, Create at once — on the issue-10162 host;
/// timed at the client, and as the shim itself logs it ("preflight refused after N ms"), target ≤ 50 ms.</item>
/// </list>
/// Medians of <c>--runs</c> runs (default 12). Writes <c>ShimProcessTimings-report.csv</c> into
/// <c>&lt;artifacts&gt;/results</c> in the columns hack/bench.sh's table reads. For diagnosis: KATAPLUG_BENCH_DEBUG=1
/// runs the shim with -debug, and KATAPLUG_BENCH_SHOW_LOG=1 prints each daemon's log (warm-up step times included).
/// </summary>
public static partial class ShimProcessTimings
{
    public const string Command = "shim-processes";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 12;
        var artifacts = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts");
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--artifacts": artifacts = args[++i]; break;
                default: await Console.Error.WriteLineAsync($"{Command}: unknown argument {args[i]} (use --runs N --artifacts DIR)"); return 2;
            }
        }
        var rows = new List<(string Method, string Median, string Note)>();
        var located = ShimArtifacts.Locate();
        if (located.Binary is null)
        {
            rows.Add(("start / delete / Create→refusal", "NA", located.Why));
        }
        else
        {
            rows.AddRange(await StartAndDeleteAsync(located.Binary, runs));
            rows.AddRange(located.PluginsDirectory is null
                ? [("Create → preflight refusal (cold daemon)", "NA", "skipped: no published plugins (run hack/setup.sh, or set " + ShimArtifacts.PluginsVariable + ")")]
                : await CreateRefusalAsync(located.Binary, located.PluginsDirectory, runs));
        }
        var results = Path.Combine(artifacts, "results");
        Directory.CreateDirectory(results);
        var csv = new StringBuilder("Method,Mean,Allocated,Note\n");
        foreach (var (method, median, note) in rows)
        {
            csv.Append(Quote(method)).Append(',').Append(Quote(median)).Append(",-,").Append(Quote(note)).Append('\n');
            Console.WriteLine($"{method}: {median} ({note})");
        }
        await File.WriteAllTextAsync(Path.Combine(results, "Shim.Benchmarks.ShimProcessTimings-report.csv"), csv.ToString());
        return 0;
    }

    private static async Task<IEnumerable<(string, string, string)>> StartAndDeleteAsync(string binary, int runs)
    {
        var root = Directory.CreateTempSubdirectory("kpbench-sd-").FullName;
        try
        {
            var shim = new ShimInvocation(binary, Path.Combine(root, "s"), Path.Combine(root, "c.sock"));
            var starts = new List<double>();
            var deletes = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var id = $"t{i}";
                var bundle = Path.Combine(root, id);
                Directory.CreateDirectory(bundle);
                await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), """{"ociVersion":"1.0.2","annotations":{}}""");
                var start = await shim.RunAsync(bundle, id, "start", null);
                if (start.ExitCode != 0)
                {
                    return [("start (spawn → address printed)", "NA", $"failed: {start.Stderr.Trim()}")];
                }
                starts.Add(start.Wall.TotalMilliseconds);
                var delete = await shim.RunAsync(bundle, id, "delete", null);
                deletes.Add(delete.Wall.TotalMilliseconds);
            }
            return
            [
                ("start (spawn → address printed)", Median(starts), Spread(starts, runs) + "; target ≤ 150 ms"),
                ("delete (daemon running)", Median(deletes), Spread(deletes, runs)),
            ];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<IEnumerable<(string, string, string)>> CreateRefusalAsync(string binary, string plugins, int runs)
    {
        const string method = "Create → preflight refusal (cold daemon, issue 10162)";
        using var host = new RefusalHost(plugins);
        if (host.Problem is not null)
        {
            return [(method, "NA", host.Problem)];
        }
        var shim = new ShimInvocation(binary, Path.Combine(host.Directory, "s"), Path.Combine(host.Directory, "c.sock"));
        var options = ContainerdAny.Pack(new Options { ConfigPath = host.ConfigPath }).ToByteArray();
        var client = new List<double>();
        var logged = new List<double>();
        var sinceArrival = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var id = $"p{i}";
            var bundle = host.Bundle(id);
            var log = Path.Combine(bundle, "log");
            await File.WriteAllTextAsync(log, ""); // the daemon writes its log lines here (containerd's is a fifo)
            var start = await shim.RunAsync(bundle, id, "start", options);
            if (start.ExitCode != 0)
            {
                return [(method, "NA", $"start failed: {start.Stderr.Trim()}")];
            }
            try
            {
                await using var ttrpc = await TtrpcClient.ConnectAsync(start.Stdout["unix://".Length..], CancellationToken.None);
                var request = new CreateTaskRequest { Id = id, Bundle = bundle, Options = ContainerdAny.Pack(new Options { ConfigPath = host.ConfigPath }) };
                var clock = Stopwatch.StartNew();
                try
                {
                    await ttrpc.CallAsync(TaskServiceNames.Service, TaskServiceNames.Create, request, CreateTaskResponse.Parser, TimeSpan.FromSeconds(20), CancellationToken.None);
                    return [(method, "NA", "failed: Create succeeded, the scenario must refuse")];
                }
                catch (TtrpcException e) when (e.Message.Contains("no-port", StringComparison.Ordinal))
                {
                    client.Add(clock.Elapsed.TotalMilliseconds);
                }
                var logText = await File.ReadAllTextAsync(log);
                if (Environment.GetEnvironmentVariable("KATAPLUG_BENCH_SHOW_LOG") == "1")
                {
                    Console.Error.WriteLine($"client: refused after {client[^1]:0.0} ms; shim log:\n{logText}");
                }
                var arrived = ArrivedAfter().Match(logText);
                if (arrived.Success)
                {
                    sinceArrival.Add(double.Parse(arrived.Groups[1].Value, CultureInfo.InvariantCulture));
                }
                var refused = RefusedAfter().Match(logText);
                if (refused.Success)
                {
                    logged.Add(double.Parse(refused.Groups[1].Value, CultureInfo.InvariantCulture));
                }
            }
            finally
            {
                await shim.RunAsync(bundle, id, "delete", null);
            }
        }
        return
        [
            (method + ", at the client", Median(client), Spread(client, runs) + "; target ≤ 50 ms"),
            (method + ", from the request's arrival (shim log)", sinceArrival.Count > 0 ? Median(sinceArrival) : "NA", sinceArrival.Count > 0 ? Spread(sinceArrival, sinceArrival.Count) + "; target ≤ 50 ms" : "no 'Create failed N ms after the request arrived' line in the log"),
            (method + ", pipeline only (shim log)", logged.Count > 0 ? Median(logged) : "NA", logged.Count > 0 ? Spread(logged, logged.Count) : "no 'preflight refused after' line in the log"),
        ];
    }

    private static string Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var m = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        return m.ToString("0.0", CultureInfo.InvariantCulture) + " ms (median)";
    }

    private static string Spread(List<double> values, int runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{runs} cold runs, {values.Min():0}–{values.Max():0} ms, load {LoadAverage()}");

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"Create failed ([0-9.]+) ms after the request arrived")]
    private static partial Regex ArrivedAfter();

    [GeneratedRegex(@"preflight refused after ([0-9.]+) ms")]
    private static partial Regex RefusedAfter();
}
