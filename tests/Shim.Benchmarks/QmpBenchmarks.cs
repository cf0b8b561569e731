using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Shim.Qemu;
using Shim.Qmp;

namespace Shim.Benchmarks;

/// <summary>
/// QmpClient against the floor: a raw unix-socket client that writes the same command line and reads one reply line
/// (no JSON parsing, no id routing). Both talk to the same paused, guest-less QEMU through separate QMP monitors.
/// </summary>
[MemoryDiagnoser]
public class QmpBenchmarks
{
    private const int Sequential = 100;
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    private string _dir = "";
    private QemuProcess? _qemu;
    private RawQmp? _raw;
    private QmpClient? _client;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("kqb").FullName;
        // Two extra monitors so the client and the floor are symmetric (neither is QEMU's first monitor).
        var rawSock = Path.Combine(_dir, "raw.sock");
        var clientSock = Path.Combine(_dir, "client.sock");
        var spec = new QemuLaunchSpec
        {
            QmpSocketPath = Path.Combine(_dir, "qmp.sock"),
            StartPaused = true,
            MemoryMiB = 64,
            ExtraArguments = ["-qmp", $"unix:{clientSock},server=on,wait=off", "-qmp", $"unix:{rawSock},server=on,wait=off"],
        };
        _qemu = QemuProcess.StartAsync(spec, T, CancellationToken.None).GetAwaiter().GetResult();
        _client = QmpClient.ConnectAsync(clientSock, T, CancellationToken.None).GetAwaiter().GetResult();
        _raw = RawQmp.Connect(rawSock);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw?.Dispose();
        _client?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _qemu?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "raw socket: query-status")]
    public int RawQueryStatus() => _raw!.Exchange();

    [Benchmark(Description = "QmpClient: query-status")]
    public async Task<bool> ClientQueryStatus()
    {
        var r = await _client!.ExecuteAsync("query-status", null, T, CancellationToken.None);
        return r is not null;
    }

    [Benchmark(OperationsPerInvoke = Sequential, Description = "raw socket: 100 sequential query-status")]
    public int RawSequential()
    {
        var n = 0;
        for (var i = 0; i < Sequential; i++) n += _raw!.Exchange();
        return n;
    }

    [Benchmark(OperationsPerInvoke = Sequential, Description = "QmpClient: 100 sequential query-status")]
    public async Task<int> ClientSequential()
    {
        var n = 0;
        for (var i = 0; i < Sequential; i++)
        {
            if (await _client!.ExecuteAsync("query-status", null, T, CancellationToken.None) is not null) n++;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Sequential, Description = "QmpClient: 100 concurrent query-status")]
    public async Task<int> ClientConcurrent()
    {
        var calls = new Task<System.Text.Json.Nodes.JsonNode?>[Sequential];
        for (var i = 0; i < Sequential; i++) calls[i] = _client!.ExecuteAsync("query-status", null, T, CancellationToken.None);
        return (await Task.WhenAll(calls)).Length;
    }
}

/// <summary>Time from process start to QMP ready (greeting, capabilities, one query-status), QemuProcess vs raw.</summary>
[MemoryDiagnoser]
public class QemuStartupBenchmarks
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    private string _dir = "";
    private QemuLaunchSpec _spec = null!;
    private QemuProcess? _qemu;
    private Process? _rawProcess;
    private RawQmp? _raw;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("kqs").FullName;
        _spec = new QemuLaunchSpec { QmpSocketPath = Path.Combine(_dir, "qmp.sock"), StartPaused = true, MemoryMiB = 64 };
    }

    [IterationCleanup]
    public void StopIteration()
    {
        _qemu?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _qemu = null;
        _raw?.Dispose();
        _raw = null;
        if (_rawProcess is not null)
        {
            _rawProcess.Kill();
            _rawProcess.WaitForExit();
            _rawProcess.Dispose();
            _rawProcess = null;
        }
        File.Delete(_spec.QmpSocketPath);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Baseline = true, Description = "raw: exec → QMP ready")]
    public int RawStart()
    {
        var psi = new ProcessStartInfo(_spec.Binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in QemuCommandLine.Build(_spec)) psi.ArgumentList.Add(a);
        _rawProcess = Process.Start(psi)!;
        // The floor retries connect with the runtime's standard spin-then-yield backoff (no fixed interval); a pure
        // spin would steal one of the two cores QEMU needs and measure contention instead.
        var spin = default(SpinWait);
        while (true)
        {
            try
            {
                _raw = RawQmp.Connect(_spec.QmpSocketPath);
                return _raw.Exchange();
            }
            catch (SocketException)
            {
                spin.SpinOnce(sleep1Threshold: 20);
            }
        }
    }

    [Benchmark(Description = "QemuProcess.StartAsync → QMP ready")]
    public async Task<int> ClientStart()
    {
        _qemu = await QemuProcess.StartAsync(_spec, T, CancellationToken.None);
        return _qemu.Pid;
    }
}

/// <summary>The floor: blocking unix socket, fixed command bytes, read to the next newline.</summary>
internal sealed class RawQmp : IDisposable
{
    private static readonly byte[] Command = Encoding.UTF8.GetBytes("{\"execute\":\"query-status\",\"id\":1}\n");
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawQmp(Socket socket) => _socket = socket;

    public static RawQmp Connect(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            s.Connect(new UnixDomainSocketEndPoint(path));
            var raw = new RawQmp(s);
            raw.ReadLine(); // greeting
            s.Send(Encoding.UTF8.GetBytes("{\"execute\":\"qmp_capabilities\"}\n"));
            raw.ReadLine();
            return raw;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public int Exchange()
    {
        _socket.Send(Command);
        return ReadLine();
    }

    private int ReadLine()
    {
        var filled = 0;
        while (true)
        {
            var n = _socket.Receive(_buffer.AsSpan(filled));
            if (n == 0) throw new SocketException((int)SocketError.ConnectionReset);
            filled += n;
            if (_buffer.AsSpan(0, filled).IndexOf((byte)'\n') >= 0) return filled;
        }
    }

    public void Dispose() => _socket.Dispose();
}
