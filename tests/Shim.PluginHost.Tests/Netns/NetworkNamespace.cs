using System.Diagnostics;

namespace Shim.PluginHost.Tests.Netns;

/// <summary>A real, uniquely named network namespace (<c>ip netns add</c>), deleted on dispose. Needs root and iproute2.</summary>
public sealed class NetworkNamespace : IDisposable
{
    public NetworkNamespace()
    {
        Name = "kp-" + Guid.NewGuid().ToString("N")[..10];
        Ip("netns", "add", Name);
    }

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    /// <summary>Runs <c>ip -n &lt;ns&gt; args</c>; throws with ip's stderr on failure.</summary>
    public void In(params string[] args) => Ip(["-n", Name, .. args]);

    public static void Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start ip (install iproute2)");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20))) throw new TimeoutException($"ip {string.Join(' ', args)} did not finish in 20 s");
        if (process.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
    }

    public void Dispose() => Ip("netns", "delete", Name);
}
