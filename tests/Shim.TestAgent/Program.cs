using System.Globalization;
using System.Runtime.InteropServices;
using Shim.TestAgent;

// kataplug-test-agent --socket PATH [--port 1024] [--record FILE]
// Prints "ready <socket>" once it accepts connections; exits on SIGTERM/SIGINT or after DestroySandbox.
string? socket = null;
string? recordPath = null;
uint port = Shim.Agent.AgentServiceNames.DefaultPort;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--socket": socket = Next(); break;
        case "--port": port = uint.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--record": recordPath = Next(); break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: kataplug-test-agent --socket PATH [--port N] [--record FILE]");
            return 2;
    }
}
if (socket is null)
{
    Console.Error.WriteLine("--socket PATH is required");
    return 2;
}

var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await using var host = TestAgentHost.Start(new TestAgentOptions(socket, port, recordPath));
Console.WriteLine($"ready {socket}");
await Task.WhenAny(stop.Task, host.Destroyed);
return 0;
