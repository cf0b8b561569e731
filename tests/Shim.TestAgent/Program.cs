using System.Globalization;
using System.Runtime.InteropServices;
using Shim.TestAgent;

// kataplug-test-agent --socket PATH [--port 1024] [--record FILE] [--shared-root TEMPLATE] [--serve-many]
// Prints "ready <socket>" once it accepts connections; exits on SIGTERM/SIGINT or after DestroySandbox
// (with --serve-many: only on a signal; every DestroySandbox resets the agent for the next sandbox).
// --shared-root: host directory for the kataShared mount point, "{sandbox}" = CreateSandbox.sandbox_id.
const string Usage = "usage: kataplug-test-agent --socket PATH [--port N] [--record FILE] [--shared-root TEMPLATE] [--serve-many]";
string? socket = null;
string? recordPath = null;
string? sharedRoot = null;
var serveMany = false;
uint port = Shim.Agent.AgentServiceNames.DefaultPort;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--socket": socket = Next(); break;
        case "--port": port = uint.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--record": recordPath = Next(); break;
        case "--shared-root": sharedRoot = Next(); break;
        case "--serve-many": serveMany = true; break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; {Usage}");
            return 2;
    }
}
if (socket is null)
{
    Console.Error.WriteLine($"--socket PATH is required; {Usage}");
    return 2;
}

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await using var host = TestAgentHost.Start(new TestAgentOptions(socket, port, recordPath, SharedRoot: sharedRoot, ServeMany: serveMany));
Console.WriteLine($"ready {socket}");
await (serveMany ? stop.Task : Task.WhenAny(stop.Task, host.Destroyed));
return 0;
