using System.ComponentModel;
using System.Diagnostics;

namespace Shim.HostPci;

/// <summary>
/// Loads vfio-pci once when it is installed but not registered (real host only). A missing modprobe binary or a
/// failing modprobe is an error with the command to run, never a crash (W5).
/// </summary>
internal static class VfioModuleLoader
{
    public static async Task EnsureLoadedAsync(SysfsRoot root, BindingOptions options, CancellationToken ct)
    {
        var driverDir = root.Driver(VfioPci.DriverName);
        if (Directory.Exists(driverDir))
            return;
        if (!root.IsHostRoot)
            throw new InvalidOperationException($"vfio-pci is not loaded ({driverDir} is missing) and modprobe is only run on the real host root");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ModprobeTimeout);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("modprobe", VfioPci.DriverName) { RedirectStandardError = true, UseShellExecute = false })
                ?? throw new InvalidOperationException("modprobe could not be started");
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"`modprobe vfio-pci` exited {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}; install the vfio-pci module for this kernel");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"vfio-pci is not loaded and modprobe could not run ({e.Message}); load it with `modprobe vfio-pci`", e);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"`modprobe vfio-pci` did not finish within {options.ModprobeTimeout}");
        }
        await BoundedPoll.UntilAsync(() => Directory.Exists(driverDir), options.DriverTimeout,
            () => $"vfio-pci was loaded but {driverDir} did not appear", ct).ConfigureAwait(false);
    }
}
