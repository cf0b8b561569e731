using Shim.HostPci;

namespace Shim.SysfsEmulator;

/// <summary>
/// <see cref="ISysfsWriter"/> for an emulated tree: performs the write, then the kernel side effects of
/// <see cref="EmulatedKernel"/>, applying the injected faults and appending to the write log. Constructed from the
/// root path alone (the product's <see cref="SysfsWriterFactory"/> does so by reflection in other processes); an
/// exclusive lock on <c>.emulator/lock</c> serialises writers of all processes, like the kernel's device lock.
/// </summary>
public sealed class EmulatedSysfsWriter : ISysfsWriter
{
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "numa_node", "config",
        "sriov_totalvfs", "sriov_offset", "sriov_stride", "sriov_vf_device", "operstate", "flags", "type", "ifindex",
    };

    private readonly TreeLayout layout;
    private readonly SysfsRoot root;

    public EmulatedSysfsWriter(string root)
    {
        layout = new TreeLayout(root);
        this.root = new SysfsRoot(root);
        if (!Directory.Exists(layout.State))
            throw new ArgumentException($"{root} is not an emulated host (no {layout.State})", nameof(root));
    }

    /// <summary>How long a write waits for the tree lock or a blocked unbind's release trigger.</summary>
    public static TimeSpan BlockLimit { get; set; } = TimeSpan.FromSeconds(30);

    public void Write(string attributePath, string value)
    {
        using var held = Lock();
        var kernel = new EmulatedKernel(layout.Root, EmulatorJson.Read<FaultPlan>(layout.Faults) ?? new FaultPlan());
        var path = Canonical(attributePath);
        var relative = layout.Relative(path);
        try
        {
            InjectedFailure(kernel, relative, value);
            Dispatch(kernel, path, relative, value);
            Log(relative, value, "ok");
        }
        catch (KernelError e)
        {
            Log(relative, value, e.Errno.ToString());
            throw new SysfsWriteException(attributePath, value, e.Errno, "emulated kernel: " + e.Message);
        }
        finally
        {
            var seen = kernel.Faults.WritesSeen + 1;
            kernel.Faults = kernel.Faults with { WritesSeen = seen };
            foreach (var removal in kernel.Faults.HotRemovals.Where(r => r.AfterWrites == seen))
                if (kernel.RealDir(removal.Bdf) is { } real) kernel.RemoveDevice(real, removal.Bdf);
            EmulatorJson.Write(layout.Faults, kernel.Faults);
        }
    }

    private string Canonical(string path)
    {
        try { return root.ResolveInside(path); }
        catch (UnauthorizedAccessException) { throw new SysfsWriteException(path, "", Errno.EACCES, "outside the emulated root"); }
    }

    private static void InjectedFailure(EmulatedKernel kernel, string relative, string value)
    {
        var faults = kernel.Faults.WriteFaults;
        for (int i = 0; i < faults.Count; i++)
        {
            var f = faults[i];
            if (f.PathContains is not null && !relative.Contains(f.PathContains, StringComparison.Ordinal)) continue;
            if (f.Bdf is not null && !relative.Contains(f.Bdf, StringComparison.Ordinal) && !value.Contains(f.Bdf, StringComparison.Ordinal)) continue;
            faults[i] = f with { Seen = f.Seen + 1 };
            if (f.Seen >= f.SkipFirst && f.Seen < f.SkipFirst + f.Times)
                throw new KernelError(f.Errno, $"injected failure of write #{f.Seen + 1} matching '{f.PathContains ?? "*"}'");
        }
    }

    private void Dispatch(EmulatedKernel kernel, string path, string relative, string value)
    {
        var name = Path.GetFileName(path);
        var parent = Path.GetDirectoryName(path)!;
        if (relative == "sys/bus/pci/drivers_probe") { kernel.DriversProbe(value); return; }
        if (relative == "sys/bus/pci/drivers_autoprobe") { EmulatedKernel.WriteBoolean(path, value); return; }
        if (Path.GetDirectoryName(parent) == layout.BusDrivers)
        {
            var driver = Path.GetFileName(parent);
            switch (name)
            {
                case "bind": kernel.Bind(driver, value); return;
                case "unbind": BlockIfHeld(kernel, driver, value); kernel.Unbind(driver, value); return;
                case "new_id": kernel.NewId(driver, value); return;
                case "remove_id": kernel.RemoveId(driver, value); return;
            }
        }
        if (!File.Exists(path)) throw new KernelError(Errno.ENOENT, $"{relative} does not exist");
        if (ReadOnly.Contains(name)) throw new KernelError(Errno.EACCES, $"{relative} is read-only");
        switch (name)
        {
            case "driver_override": EmulatedKernel.WriteOverride(parent, value); return;
            case "sriov_numvfs": kernel.SriovNumVfs(parent, value); return;
            case "sriov_drivers_autoprobe": EmulatedKernel.WriteBoolean(path, value); return;
            default: File.WriteAllText(path, value); return;
        }
    }

    /// <summary>§2.3: unbinding vfio-pci from a device QEMU holds blocks until the holder lets go.</summary>
    private void BlockIfHeld(EmulatedKernel kernel, string driver, string value)
    {
        var bdf = EmulatedKernel.StripNewline(value);
        if (!EmulatedKernel.IsVfioDriver(driver) || !kernel.Faults.BlockingUnbind.Contains(bdf)) return;
        var trigger = layout.ReleaseTrigger(bdf);
        TreeLayout.WriteText(layout.BlockedMarker(bdf), "blocked\n");
        if (!SpinWait.SpinUntil(() => File.Exists(trigger), BlockLimit))
            throw new KernelError(Errno.EBUSY, $"unbind of {bdf} stayed blocked for {BlockLimit} (create {trigger} to release it)");
        File.Delete(layout.BlockedMarker(bdf));
        kernel.Faults.BlockingUnbind.Remove(bdf);
    }

    private void Log(string relative, string value, string result) =>
        File.AppendAllText(layout.WriteLog, $"{relative}\t{value.Replace("\n", "\\n", StringComparison.Ordinal)}\t{result}\n");

    private FileStream Lock()
    {
        FileStream? stream = null;
        if (!SpinWait.SpinUntil(() => (stream = TryLock()) is not null, BlockLimit))
            throw new IOException($"emulator lock {layout.StateLock} busy for {BlockLimit}");
        return stream!;
    }

    private FileStream? TryLock()
    {
        try { return new FileStream(layout.StateLock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }
}
