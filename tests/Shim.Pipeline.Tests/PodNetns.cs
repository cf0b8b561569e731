using System.Diagnostics;

namespace Shim.Pipeline.Tests;

/// <summary>A real network namespace holding the pod side of a veth named <c>net1</c> (ovn-kubernetes' shape).</summary>
public sealed class PodNetns : IDisposable
{
    public const string Interface = "net1";

    public PodNetns()
    {
        Name = "kp-pl-" + Guid.NewGuid().ToString("N")[..8];
        Ip($"netns add {Name}");
        Ip($"link add kpv{Name[^6..]} type veth peer name {Interface} netns {Name}");
        Ip($"-n {Name} link set {Interface} address 02:00:00:00:00:11 up");
    }

    public string Name { get; }

    public string Path => $"/var/run/netns/{Name}";

    public void Dispose() => Ip($"netns delete {Name}", check: false);

    private static void Ip(string args, bool check = true)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args.Split(' ')) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip (install iproute2)");
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"ip {args} failed ({p.ExitCode}): {err}");
    }
}
