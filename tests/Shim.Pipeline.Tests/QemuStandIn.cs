using System.Text.Json.Nodes;
using Shim.Containerd.Tests;
using Shim.Qmp;

namespace Shim.Pipeline.Tests;

/// <summary>
/// hack/qemu-vfio-standin: QEMU with every <c>-device vfio-pci,...</c> turned into an emulated NIC at the same
/// id/bus/addr (the emulated host's VFs are not real), plus a second QMP monitor for tests, because the shim holds
/// QEMU's first and only session.
/// </summary>
public static class QemuStandIn
{
    /// <summary>What the stand-in puts in place of vfio-pci (KATAPLUG_STANDIN_NIC unset).</summary>
    public const string Nic = "e1000e";

    public static string Path
    {
        get
        {
            var path = System.IO.Path.Combine(ShimBinary.RepositoryRoot(), "hack", "qemu-vfio-standin");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing (it is part of the repository)");
        }
    }

    /// <summary>The observer monitor the stand-in opens next to <paramref name="qmpSocket"/> (…/qmp.sock → …/qmp-observer.sock).</summary>
    public static string ObserverSocket(string qmpSocket) =>
        qmpSocket.EndsWith(".sock", StringComparison.Ordinal)
            ? qmpSocket[..^".sock".Length] + "-observer.sock"
            : throw new ArgumentException($"QMP socket '{qmpSocket}' does not end in .sock; the stand-in opens no observer for it", nameof(qmpSocket));

    /// <summary>How many vCPUs QEMU has (<c>query-cpus-fast</c> over the observer monitor).</summary>
    public static async Task<int> CountVcpusAsync(string observerSocket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var qmp = await QmpClient.ConnectAsync(observerSocket, timeout, cancellationToken);
        var cpus = await qmp.ExecuteAsync("query-cpus-fast", null, timeout, cancellationToken);
        return (cpus as JsonArray)?.Count ?? throw new InvalidOperationException($"query-cpus-fast returned {cpus?.ToJsonString()}, not a list");
    }
}
