using System.Diagnostics;
using System.Text.Json.Nodes;
using Shim.Qmp;

namespace Shim.Qemu;

/// <summary>
/// PCI hotplug onto the ports of a <see cref="QemuTopology"/>: validates the target before sending anything, tracks
/// port occupancy and ids, and removes with a deadline. An id whose unplug is pending is never reused or handed back
/// until QEMU's <c>DEVICE_DELETED</c>; pending unplugs never block other QMP commands.
/// </summary>
public sealed class PciHotplug : IDisposable
{
    private static readonly TimeSpan FirstBusyBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBusyBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinRetryWindow = TimeSpan.FromMilliseconds(100);

    private readonly QmpClient _qmp;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _ports = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bridges = new(StringComparer.Ordinal);
    /// <summary>Hotplug position ("rp0" or "pb0@0x3") → id of what sits there.</summary>
    private readonly Dictionary<string, string> _occupied = new(StringComparer.Ordinal);
    /// <summary>Device id → its position (cold-plugged devices too, so they can be removed).</summary>
    private readonly Dictionary<string, string> _attached = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _pending = new(StringComparer.Ordinal);

    public PciHotplug(QmpClient qmp, QemuTopology topology, IEnumerable<ColdPlugDevice>? coldPlugged = null)
    {
        _qmp = qmp;
        foreach (var rp in topology.RootPorts.Where(r => r.Hotplug)) _ports.Add(rp.Id);
        foreach (var dp in topology.Switches.SelectMany(s => s.DownstreamPorts).Where(d => d.Hotplug)) _ports.Add(dp.Id);
        foreach (var b in topology.Bridges) _bridges.Add(b.Id);
        foreach (var sw in topology.Switches) _occupied[sw.RootPortId] = sw.UpstreamId;
        foreach (var b in topology.Bridges.Where(b => _ports.Contains(b.Bus))) _occupied[b.Bus] = b.Id;
        foreach (var d in coldPlugged ?? [])
        {
            if (d is not StructuredDevice { Device: { Bus: not null } dev }) continue;
            var pos = Position(dev.Bus, dev.Addr);
            _occupied[pos] = dev.Id;
            _attached[dev.Id] = pos;
        }
        qmp.EventReceived += OnEvent;
    }

    /// <summary>Deadline of each QMP command sent by <see cref="RemoveAsync"/>, apart from the guest's deadline.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Raised (on the QMP reader loop) when a pending unplug completes; the id is then free.</summary>
    public event Action<string>? UnplugCompleted;

    public IReadOnlyCollection<string> PendingUnplugs
    {
        get { lock (_lock) return [.. _pending.Keys]; }
    }

    public bool IsUnplugPending(string id)
    {
        lock (_lock) return _pending.ContainsKey(id);
    }

    /// <summary>
    /// <c>device_add</c> onto a hotplug-capable port (<c>addr</c> 0x0) or a bridge slot (explicit <c>addr</c>), then
    /// the guest PCI path. Validation failures throw <see cref="QemuHotplugException"/> before QEMU is asked (a failed
    /// <c>device_add</c> costs ~60 ms); QEMU's refusals are wrapped with its <c>desc</c> verbatim.
    /// </summary>
    public async Task<PciAttachResult> AddAsync(QemuDevice device, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        var bus = device.Bus ?? throw new QemuHotplugException(device.Id, "device_add", "no bus given; name a root port, downstream port or bridge from the topology.");
        if (_ports.Contains(bus))
        {
            if (device.Addr is null) device = device with { Addr = "0x0" };
            else if (ParseSlot(device.Addr) is not 0)
            {
                throw new QemuHotplugException(device.Id, "device_add", $"addr '{device.Addr}' on port '{bus}': a PCIe port has one device position; use addr 0x0 (a Linux guest never scans slot 1 behind a port).");
            }
        }
        else if (_bridges.Contains(bus))
        {
            if (device.Addr is null || ParseSlot(device.Addr) is not (>= 1 and <= 31))
            {
                throw new QemuHotplugException(device.Id, "device_add", $"bridge '{bus}' needs an explicit addr 0x1..0x1f (got '{device.Addr}').");
            }
        }
        else
        {
            var known = string.Join(", ", _ports.Concat(_bridges).Order(StringComparer.Ordinal));
            throw new QemuHotplugException(device.Id, "device_add", $"bus '{bus}' is not a hotplug-capable port or bridge of this VM's topology (pcie.0 refuses hotplug). Use one of: {known}.");
        }

        var pos = Position(bus, device.Addr);
        lock (_lock)
        {
            if (_pending.ContainsKey(device.Id))
            {
                throw new QemuHotplugException(device.Id, "device_add", "this id is still pending unplug (no DEVICE_DELETED yet); QEMU would answer Duplicate device ID. Use another id or wait for the unplug.");
            }
            if (_attached.TryGetValue(device.Id, out var at))
            {
                throw new QemuHotplugException(device.Id, "device_add", $"this id is already attached at '{at}'; choose a unique id.");
            }
            if (_occupied.TryGetValue(pos, out var holder))
            {
                throw new QemuHotplugException(device.Id, "device_add", $"'{pos}' already holds '{holder}'; pick a free port.");
            }
            // Reserve before sending so concurrent adds cannot pick the same position.
            _occupied[pos] = device.Id;
            _attached[device.Id] = pos;
        }

        try
        {
            await _qmp.ExecuteAsync("device_add", device.ToDeviceAddArguments(), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpCommandException e)
        {
            Release(device.Id);
            throw new QemuHotplugException(device.Id, "device_add", $"QEMU refused {device.ToDeviceArgument()}: {e.Description}", e);
        }
        catch
        {
            // Timeout or connection loss: QEMU may or may not hold it; keep the reservation (never reuse blindly).
            throw;
        }

        var left = Remaining(timeout, sw);
        var path = await GuestPciPathResolver.FromQomAsync(_qmp, device.Id, left, cancellationToken).ConfigureAwait(false);
        return new PciAttachResult(device.Id, bus, path, sw.Elapsed);
    }

    /// <summary>
    /// <c>device_del</c>, then wait for <c>DEVICE_DELETED</c> (matched on <c>data.device</c>) or
    /// <c>DEVICE_UNPLUG_GUEST_ERROR</c> until <paramref name="timeout"/> (the guest's deadline; each command has
    /// <see cref="CommandTimeout"/>). "Guest is busy" is retried with backoff. At the deadline the
    /// outcome is <see cref="PciDetachOutcome.UnplugPending"/>: the id stays reserved until QEMU confirms.
    /// </summary>
    public async Task<PciDetachResult> RemoveAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        TaskCompletionSource deleted;
        var alreadyPending = false;
        lock (_lock)
        {
            if (_pending.TryGetValue(id, out var existing))
            {
                deleted = existing;
                alreadyPending = true;
            }
            else
            {
                deleted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending[id] = deleted;
            }
        }

        using var guestError = _qmp.Subscribe("DEVICE_UNPLUG_GUEST_ERROR", e => e.DataString("device") == id);
        if (!alreadyPending)
        {
            var backoff = FirstBusyBackoff;
            while (true)
            {
                try
                {
                    await _qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = id }, CommandTimeout, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (QmpCommandException e) when (e.Description.Contains("already in the process of unplug", StringComparison.Ordinal))
                {
                    break; // Requested before (e.g. by an earlier shim): keep waiting for the event.
                }
                catch (QmpCommandException e) when (e.ErrorClass == "DeviceNotFound")
                {
                    if (deleted.Task.IsCompleted) return new(id, PciDetachOutcome.Removed, "DEVICE_DELETED received", sw.Elapsed);
                    Release(id);
                    return new(id, PciDetachOutcome.NotPresent, $"QEMU: {e.Description}", sw.Elapsed);
                }
                catch (QmpCommandException e) when (e.Description.Contains("guest is busy", StringComparison.Ordinal))
                {
                    // Retry only if a retry can still be answered before the deadline; a device_del cut off by the
                    // deadline would leave us not knowing whether the unplug was requested.
                    if (Remaining(timeout, sw) < backoff + MinRetryWindow)
                    {
                        Unpend(id);
                        return new(id, PciDetachOutcome.StillAttached, $"QEMU kept answering '{e.Description}' until the {timeout.TotalMilliseconds:0} ms deadline; retry later.", sw.Elapsed);
                    }
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    backoff = backoff * 2 < MaxBusyBackoff ? backoff * 2 : MaxBusyBackoff;
                }
                catch (QmpCommandException e)
                {
                    Unpend(id);
                    throw new QemuHotplugException(id, "device_del", $"QEMU refused: {e.Description}", e);
                }
            }
        }

        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var rejected = guestError.TryWaitAsync(Remaining(timeout, sw), waitCts.Token);
        var first = await Task.WhenAny(deleted.Task, rejected).ConfigureAwait(false);
        await waitCts.CancelAsync().ConfigureAwait(false); // Stop the losing wait's timer.
        if (deleted.Task.IsCompleted) return new(id, PciDetachOutcome.Removed, "DEVICE_DELETED received", sw.Elapsed);
        if (first == rejected && rejected.IsFaulted) await rejected.ConfigureAwait(false); // QEMU gone: say so.
        if (first == rejected && rejected.IsCompletedSuccessfully && rejected.Result is { } err)
        {
            Unpend(id);
            return new(id, PciDetachOutcome.StillAttached, $"the guest rejected the unplug (DEVICE_UNPLUG_GUEST_ERROR, path {err.DataString("path")}).", sw.Elapsed);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new(id, PciDetachOutcome.UnplugPending,
            $"no DEVICE_DELETED within {timeout.TotalMilliseconds:0} ms: the guest has not released the device (no guest OS, or ACPI hotplug not handled). QEMU still owns it; do not rebind the host driver.",
            sw.Elapsed);
    }

    /// <summary>Waits for a pending unplug to complete; true when the device is gone.</summary>
    public async Task<bool> WaitForUnplugAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task t;
        lock (_lock)
        {
            if (!_pending.TryGetValue(id, out var tcs)) return !_attached.ContainsKey(id);
            t = tcs.Task;
        }
        try
        {
            await t.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => _qmp.EventReceived -= OnEvent;

    private void OnEvent(QmpEvent e)
    {
        if (e.Name != "DEVICE_DELETED" || e.DataString("device") is not { } id) return;
        TaskCompletionSource? tcs;
        lock (_lock)
        {
            _pending.Remove(id, out tcs);
            if (_attached.Remove(id, out var pos)) _occupied.Remove(pos);
        }
        if (tcs is null) return;
        tcs.TrySetResult();
        UnplugCompleted?.Invoke(id);
    }

    private void Release(string id)
    {
        lock (_lock)
        {
            _pending.Remove(id);
            if (_attached.Remove(id, out var pos)) _occupied.Remove(pos);
        }
    }

    private void Unpend(string id)
    {
        lock (_lock) _pending.Remove(id);
    }

    private static string Position(string bus, string? addr) =>
        addr is null || ParseSlot(addr) is 0 or null ? bus : $"{bus}@0x{ParseSlot(addr):x}";

    /// <summary>Slot of a qdev <c>addr</c> ("0x3", "03", "3.0", "0x3.0x1"); null if unparsable.</summary>
    internal static int? ParseSlot(string addr)
    {
        var slot = addr.Split('.')[0];
        if (slot.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) slot = slot[2..];
        return int.TryParse(slot, System.Globalization.NumberStyles.HexNumber, null, out var v) ? v : null;
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch sw)
    {
        var left = timeout - sw.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
