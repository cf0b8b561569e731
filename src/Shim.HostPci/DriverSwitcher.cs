namespace Shim.HostPci;

/// <summary>
/// The sysfs write sequences that move one function between drivers, each write journaled through a
/// <see cref="BindingSession"/> and each result verified by re-reading the <c>driver</c> link (W5).
/// Shared by bind, rollback, restore and reconciliation so that all of them behave the same.
/// </summary>
internal sealed class DriverSwitcher
{
    private readonly SysfsRoot root;
    private readonly ISysfsWriter writer;
    private readonly BindingOptions options;

    public DriverSwitcher(SysfsRoot root, ISysfsWriter writer, BindingOptions options)
    {
        this.root = root;
        this.writer = writer;
        this.options = options;
    }

    public string? CurrentDriver(PciAddress a)
    {
        var name = SysfsReader.LinkBasename(root.DeviceAttribute(a, "driver"));
        return SysfsName.IsValid(name) ? name : null;
    }

    public string? CurrentOverride(PciAddress a)
    {
        var text = SysfsReader.ReadAttribute(root.DeviceAttribute(a, "driver_override"));
        return text is null or "" or "(null)" ? null : text;
    }

    public bool Exists(PciAddress a) => Directory.Exists(root.Device(a));

    /// <summary>driver_override = vfio-pci, unbind from the host driver, drivers_probe, verify.</summary>
    public async Task BindToVfioAsync(BindingSession session, PciAddress a, CancellationToken ct)
    {
        var bdf = a.ToString();
        var current = CurrentDriver(a);
        if (current == VfioPci.DriverName)
            return;
        session.Step(bdf, BindingStep.SetVfioOverride, () => Write(root.DeviceAttribute(a, "driver_override"), VfioPci.DriverName));
        for (int attempt = 0; ; attempt++)
        {
            if (current is not null)
            {
                var from = current;
                session.Step(bdf, BindingStep.UnbindHostDriver, () => Write(root.DriverUnbind(from), bdf));
            }
            session.Step(bdf, BindingStep.ProbeVfio, () => Write(root.DriversProbe, bdf));
            current = await WaitForDriverAsync(a, VfioPci.DriverName,
                "vfio-pci did not claim it after drivers_probe; check `dmesg` for 'vfio-pci … probe … failed' (bridge, PF with VFs enabled, no IOMMU group)", ct).ConfigureAwait(false);
            if (current == VfioPci.DriverName)
                return;
            if (attempt >= options.RegrabRetries)
                throw new DriverVerificationException(a, VfioPci.DriverName, current,
                    $"driver {current} re-grabbed the device {attempt + 1} time(s) despite driver_override=vfio-pci; blacklist or unload {current}");
        }
    }

    /// <summary>
    /// Returns the function to <paramref name="original"/> (null = unbound) with <paramref name="originalOverride"/>
    /// (normally empty). Idempotent: reads the current state and writes only what differs. In dry-run, appends the
    /// writes it would make to <paramref name="plan"/> instead.
    /// </summary>
    public async Task RestoreAsync(BindingSession session, PciAddress a, string? original, string? originalOverride, List<string>? plan, CancellationToken ct)
    {
        var bdf = a.ToString();
        if (!Exists(a))
        {
            plan?.Add($"{bdf}: gone from the host (VF removed or hot-unplugged); nothing to restore");
            return;
        }
        if (original is not null) SysfsName.RequireDriver(original);
        var current = CurrentDriver(a);
        var overrideNow = CurrentOverride(a);
        for (int attempt = 0; current != original; attempt++)
        {
            // The original driver goes into driver_override first so that only it can match (§2.1), whatever
            // its ID table says and whatever else is loaded; the override is restored at the end.
            if (original is not null && overrideNow != original)
            {
                Do(session, plan, bdf, BindingStep.SetOriginalOverride, root.DeviceAttribute(a, "driver_override"), original);
                overrideNow = original;
            }
            if (current is not null)
            {
                var from = current;
                Do(session, plan, bdf, BindingStep.UnbindCurrentDriver, root.DriverUnbind(from), bdf);
            }
            if (original is null)
                break;
            Do(session, plan, bdf, BindingStep.ProbeOriginal, root.DriversProbe, bdf);
            if (session.DryRun)
                break;
            current = await WaitForDriverAsync(a, original,
                $"{original} did not claim it after drivers_probe; check that the {original} module is loaded and `dmesg`", ct).ConfigureAwait(false);
            if (current != original && attempt >= options.RegrabRetries)
                throw new DriverVerificationException(a, original, current, $"driver {current} grabbed the device instead of {original}");
        }
        var wanted = NormalizeOverride(originalOverride);
        if (!session.DryRun) overrideNow = CurrentOverride(a);
        if (overrideNow != wanted)
            Do(session, plan, bdf, BindingStep.RestoreOverride, root.DeviceAttribute(a, "driver_override"), wanted ?? "\n");
        if (!session.DryRun && CurrentDriver(a) != original)
            throw new DriverVerificationException(a, original, CurrentDriver(a), "the device changed driver while its override was restored");
    }

    private static string? NormalizeOverride(string? value) => string.IsNullOrEmpty(value) || value == "(null)" ? null : value;

    private void Do(BindingSession session, List<string>? plan, string bdf, BindingStep step, string path, string value)
    {
        if (session.DryRun)
        {
            plan?.Add($"{bdf}: {step}: write '{value.Replace("\n", "\\n", StringComparison.Ordinal)}' to {path}");
            return;
        }
        plan?.Add($"{bdf}: {step}: wrote '{value.Replace("\n", "\\n", StringComparison.Ordinal)}' to {path}");
        session.Step(bdf, step, () => Write(path, value));
    }

    private void Write(string path, string value) => writer.Write(root.ResolveInside(path), value);

    /// <summary>Polls the driver link until it names <paramref name="expected"/> or another driver; null stays pending.</summary>
    private async Task<string?> WaitForDriverAsync(PciAddress a, string expected, string hint, CancellationToken ct)
    {
        string? seen = null;
        try
        {
            await BoundedPoll.UntilAsync(() => (seen = CurrentDriver(a)) is not null, options.DriverTimeout,
                () => $"{a}: still unbound, expected driver {expected}", ct).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new DriverVerificationException(a, expected, null, $"{hint} ({e.Message})");
        }
        return seen;
    }
}
