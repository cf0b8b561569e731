using Shim.HostPci;
using Shim.SysfsEmulator;

namespace Shim.HostPci.Tests;

/// <summary>An emulated host in a fresh temp directory plus a state directory; deleted on dispose.</summary>
public sealed class TestHost : IDisposable
{
    public TestHost(Func<EmulatedHostBuilder, EmulatedHostBuilder> describe)
    {
        // tmpfs when available: the journal fsyncs every step, which is slow on a VM disk and proves nothing more here.
        var baseDir = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        Dir = Path.Combine(baseDir, "kataplug-hostpci-tests", Guid.NewGuid().ToString("N"));
        Host = describe(new EmulatedHostBuilder()).Build(Path.Combine(Dir, "root"));
        State = Path.Combine(Dir, "state");
    }

    public string Dir { get; }
    public EmulatedHost Host { get; }
    public string State { get; }
    public SysfsRoot Root => Host.Sysfs;

    public static BindingOptions FastOptions { get; } = new() { DriverTimeout = TimeSpan.FromMilliseconds(300), DevNodeTimeout = TimeSpan.FromMilliseconds(300) };

    public GroupBinder Binder(ISysfsWriter? writer = null, BindingOptions? options = null) =>
        new(Root, writer ?? Host.Writer(), new BindingJournal(State), new ClaimLedger(State), options ?? FastOptions);

    public Reconciler Reconciler(ISysfsWriter? writer = null) =>
        new(Root, writer ?? Host.Writer(), new BindingJournal(State), new ClaimLedger(State), FastOptions);

    public BindingJournal Journal => new(State);
    public ClaimLedger Ledger => new(State);

    public int GroupOf(string bdf) => Host.GroupOf(bdf) ?? throw new InvalidOperationException($"{bdf} has no group");

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Root port, SR-IOV PF (ixgbe, ens1f0 up) with 2 VFs (ixgbevf), GPU+audio group, an unbound NIC, a host bridge.</summary>
    public static EmulatedHostBuilder Typical(EmulatedHostBuilder b) => b
        .HostBridge("0000:00:00.0")
        .RootPort("0000:00:02.0")
        .SriovNic("0000:3b:00.0", totalVfs: 8, numVfs: 2, behind: "0000:00:02.0", offset: 0x10, stride: 1)
        .Gpu("0000:65:00.0")
        .Nic("0000:05:00.0", driver: "e1000e", ifName: "eno1", up: false);
}

/// <summary>A writer decorator that counts writes and "crashes" after the N-th: the write happens, then this and every later write throw, as if the process died.</summary>
public sealed class CrashingWriter : ISysfsWriter
{
    private readonly ISysfsWriter inner;
    private readonly int crashAfter;

    public CrashingWriter(ISysfsWriter inner, int crashAfter)
    {
        this.inner = inner;
        this.crashAfter = crashAfter;
    }

    public int Writes { get; private set; }
    public bool Crashed { get; private set; }

    public void Write(string attributePath, string value)
    {
        if (Crashed) throw new SimulatedCrash();
        inner.Write(attributePath, value);
        if (++Writes == crashAfter)
        {
            Crashed = true;
            throw new SimulatedCrash();
        }
    }
}

public sealed class SimulatedCrash : Exception
{
    public SimulatedCrash() : base("simulated crash") { }
}

/// <summary>Counts writes and records (path, value) without touching anything else.</summary>
public sealed class RecordingWriter : ISysfsWriter
{
    private readonly ISysfsWriter inner;
    private readonly Action<string, string>? before;

    public RecordingWriter(ISysfsWriter inner, Action<string, string>? before = null)
    {
        this.inner = inner;
        this.before = before;
    }

    public List<(string Path, string Value)> Seen { get; } = new();

    public void Write(string attributePath, string value)
    {
        before?.Invoke(attributePath, value);
        Seen.Add((attributePath, value));
        inner.Write(attributePath, value);
    }
}
