using System.Diagnostics;
using System.Text.Json.Nodes;
using Shim.Qmp;

namespace Shim.Qemu;

/// <summary>
/// vCPU hot-add/remove driven by <c>query-hotpluggable-cpus</c>. Requests are checked against the topology and
/// maxcpus before anything is sent; guest acknowledgement is read from <c>ACPI_DEVICE_OST</c> per device/slot
/// (QEMU 7.2 never sends <c>DEVICE_DELETED</c> with a CPU's id). Operations are serialized with each other only.
/// </summary>
public sealed class VcpuHotplug : IDisposable
{
    private const int OstInsert = 1;
    private const int OstEject = 3;
    private const int OstEjectInProgress = 0x84;
    private static readonly TimeSpan ConfirmPoll = TimeSpan.FromMilliseconds(10);

    private readonly QmpClient _qmp;
    private readonly SmpTopology _smp;
    private readonly string _accelerator;
    private readonly SemaphoreSlim _serial = new(1, 1);
    private readonly List<VcpuSlot> _added = [];
    private QemuVersion? _version;
    private int _nextId;
    private bool _unplugged;

    /// <summary>Deadline of each QMP command, apart from the guest's deadline passed to Add/Remove.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public VcpuHotplug(QmpClient qmp, SmpTopology smp, string accelerator)
    {
        smp.Validate();
        _qmp = qmp;
        _smp = smp;
        _accelerator = accelerator;
    }

    /// <summary>Boot vCPUs plus those hot-added and not removed.</summary>
    public int PresentCount => _smp.Cpus + _added.Count;

    /// <summary>Hot-added vCPUs, oldest first.</summary>
    public IReadOnlyList<VcpuSlot> HotAdded => [.. _added];

    /// <summary>
    /// QEMU 7.2 under TCG corrupts its heap when a vCPU is added after one was removed (qmp.md §10.4: SIGABRT
    /// "corrupted double-linked list" in 5 of 6 runs).
    /// </summary>
    public static bool IsAffectedByTcgUnplugDefect(QemuVersion version, string accelerator) =>
        accelerator == "tcg" && version.Major == 7 && version.Minor == 2;

    /// <summary>
    /// Adds <paramref name="count"/> vCPUs in the lowest free slots, then waits up to <paramref name="timeout"/> for the
    /// guest's <c>_OST</c> acknowledgement of each (commands have <see cref="CommandTimeout"/>).
    /// </summary>
    public async Task<VcpuAddResult> AddAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (count < 1) throw new VcpuHotplugException($"Requested {count} vCPUs to add; ask for at least 1.");
            if (PresentCount + count > _smp.MaxCpus)
            {
                throw new VcpuHotplugException(
                    $"Adding {count} vCPUs to {PresentCount} exceeds maxcpus={_smp.MaxCpus} (free: {_smp.MaxCpus - PresentCount}); raise maxcpus (default_maxvcpus) or ask for fewer.");
            }
            if (_unplugged)
            {
                _version ??= await QueryVersionAsync(CommandTimeout, cancellationToken).ConfigureAwait(false);
                if (IsAffectedByTcgUnplugDefect(_version, _accelerator))
                {
                    throw new VcpuHotplugException(
                        $"Refusing vCPU hot-add: a vCPU was removed from this VM earlier, and QEMU {_version} under TCG corrupts its heap on a hot-add after a hot-remove (it aborts with 'corrupted double-linked list'). Restart the sandbox to grow it, use KVM, or a QEMU other than 7.2.");
                }
            }

            var reply = await _qmp.ExecuteAsync("query-hotpluggable-cpus", null, CommandTimeout, cancellationToken).ConfigureAwait(false);
            var free = FreeSlots(reply as JsonArray);
            if (free.Count < count)
            {
                throw new VcpuHotplugException($"QEMU reports {free.Count} free vCPU slots but {count} were requested; the VM's smp topology does not match ({_smp.ToArgument()}).");
            }
            var planned = free.Take(count).Select(f => new VcpuSlot($"vcpu{Interlocked.Increment(ref _nextId)}", f.Type, f.Props)).ToList();
            var ids = planned.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);

            // Subscribed before the first device_add: the _OST answer can beat the reply.
            using var ost = _qmp.Subscribe("ACPI_DEVICE_OST", e => Ost(e) is { Source: OstInsert, Device: { } d } && ids.Contains(d));
            var added = new List<VcpuSlot>();
            string? error = null;
            foreach (var slot in planned)
            {
                try
                {
                    await _qmp.ExecuteAsync("device_add", slot.ToDeviceAddArguments(), CommandTimeout, cancellationToken).ConfigureAwait(false);
                    added.Add(slot);
                    _added.Add(slot);
                }
                catch (QmpCommandException e)
                {
                    error = $"device_add {slot} refused by QEMU: {e.Description}";
                    break;
                }
            }

            sw.Restart(); // The guest's deadline starts once QEMU has the vCPUs.
            var onlined = new Dictionary<string, VcpuSlot>(StringComparer.Ordinal);
            var answered = new HashSet<string>(StringComparer.Ordinal);
            while (answered.Count < added.Count)
            {
                var evt = await ost.TryWaitAsync(Remaining(timeout, sw), cancellationToken).ConfigureAwait(false);
                if (evt is null) break;
                var info = Ost(evt)!;
                var slot = added.FirstOrDefault(a => a.Id == info.Device);
                if (slot is null || !answered.Add(slot.Id)) continue;
                if (info.Status == 0)
                {
                    var acked = slot with { AcpiSlot = info.Slot };
                    onlined[slot.Id] = acked;
                    _added[_added.IndexOf(slot)] = acked;
                }
                else
                {
                    error ??= $"the guest rejected {slot.Id} (ACPI _OST status {info.Status})";
                }
            }
            return new VcpuAddResult(count, added, [.. added.Where(a => onlined.ContainsKey(a.Id)).Select(a => onlined[a.Id])], error);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// Removes the last-added vCPUs first; each removal is confirmed by <c>query-cpus-fast</c>. <paramref name="timeout"/>
    /// bounds the guest's part (eject) for the whole request; commands have <see cref="CommandTimeout"/>.
    /// </summary>
    public async Task<VcpuRemoveResult> RemoveAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (count < 1) throw new VcpuHotplugException($"Requested {count} vCPUs to remove; ask for at least 1.");
            if (count > _added.Count)
            {
                throw new VcpuHotplugException(
                    $"Cannot remove {count} vCPUs: only {_added.Count} were hot-added ({PresentCount} present, {_smp.Cpus} boot vCPUs cannot be removed).");
            }
            var removed = new List<VcpuSlot>();
            for (var i = 0; i < count; i++)
            {
                var slot = _added[^1];
                var error = await RemoveOneAsync(slot, timeout, sw, cancellationToken).ConfigureAwait(false);
                if (error is not null) return new VcpuRemoveResult(count, removed, error);
                _added.RemoveAt(_added.Count - 1);
                removed.Add(slot);
            }
            return new VcpuRemoveResult(count, removed, null);
        }
        finally
        {
            _serial.Release();
        }
    }

    public void Dispose() => _serial.Dispose();

    private async Task<string?> RemoveOneAsync(VcpuSlot slot, TimeSpan timeout, Stopwatch sw, CancellationToken ct)
    {
        // _OST for the eject completion carries no "device" (qmp.md §10.3): match the slot learnt on add as well.
        using var events = _qmp.Subscribe(e =>
            (e.Name == "ACPI_DEVICE_OST" && Ost(e) is { Source: OstEject } o && (o.Device == slot.Id || (o.Slot is not null && o.Slot == slot.AcpiSlot)))
            || (e.Name == "DEVICE_UNPLUG_GUEST_ERROR" && e.DataString("device") == slot.Id));
        try
        {
            await _qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = slot.Id }, CommandTimeout, ct).ConfigureAwait(false);
        }
        catch (QmpCommandException e)
        {
            return $"device_del {slot.Id} refused by QEMU: {e.Description}";
        }
        _unplugged = true; // From here QEMU 7.2/TCG is exposed to the defect, whatever the guest does.

        while (true)
        {
            var evt = await events.TryWaitAsync(Remaining(timeout, sw), ct).ConfigureAwait(false);
            if (evt is null) break;
            if (evt.Name == "DEVICE_UNPLUG_GUEST_ERROR") return $"the guest rejected removing {slot.Id} (DEVICE_UNPLUG_GUEST_ERROR)";
            var info = Ost(evt)!;
            if (info.Status == OstEjectInProgress) continue;
            if (info.Status != 0) return $"the guest rejected removing {slot.Id} (ACPI _OST status 0x{info.Status:x})";
            break;
        }

        // Confirm: QEMU's own view, polled until the deadline (the _OST may precede the object's removal).
        while (true)
        {
            var cpus = await _qmp.ExecuteAsync("query-cpus-fast", null, CommandTimeout, ct).ConfigureAwait(false) as JsonArray;
            var path = $"/machine/peripheral/{slot.Id}";
            if (!(cpus ?? []).Any(c => c?["qom-path"]?.GetValue<string>() == path)) return null;
            var left = Remaining(timeout, sw);
            if (left <= TimeSpan.Zero)
            {
                return $"{slot.Id} still present after {timeout.TotalMilliseconds:0} ms: the guest has not ejected it (no guest OS, or the guest keeps it online).";
            }
            await Task.Delay(left < ConfirmPoll ? left : ConfirmPoll, ct).ConfigureAwait(false);
        }
    }

    private async Task<QemuVersion> QueryVersionAsync(TimeSpan timeout, CancellationToken ct)
    {
        var v = await _qmp.ExecuteAsync("query-version", null, timeout, ct).ConfigureAwait(false);
        var q = v?["qemu"];
        return new QemuVersion(q?["major"]?.GetValue<int>() ?? 0, q?["minor"]?.GetValue<int>() ?? 0, q?["micro"]?.GetValue<int>() ?? 0, v?["package"]?.GetValue<string>() ?? "");
    }

    private static List<(string Type, IReadOnlyDictionary<string, int> Props)> FreeSlots(JsonArray? reply)
    {
        var free = new List<(string, IReadOnlyDictionary<string, int>)>();
        foreach (var e in reply ?? [])
        {
            if (e is not JsonObject o || o.ContainsKey("qom-path")) continue;
            var props = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var (k, v) in o["props"] as JsonObject ?? []) props[k] = v?.GetValue<int>() ?? 0;
            free.Add((o["type"]?.GetValue<string>() ?? "", props));
        }
        static int P(IReadOnlyDictionary<string, int> p, string k) => p.TryGetValue(k, out var v) ? v : 0;
        return [.. free.OrderBy(f => P(f.Item2, "socket-id")).ThenBy(f => P(f.Item2, "die-id")).ThenBy(f => P(f.Item2, "core-id")).ThenBy(f => P(f.Item2, "thread-id"))];
    }

    private sealed record OstInfo(string? Device, string? Slot, int Source, int Status);

    private static OstInfo? Ost(QmpEvent e)
    {
        if (e.Data?["info"] is not JsonObject i) return null;
        return new OstInfo(
            i["device"]?.GetValue<string>(),
            i["slot"]?.GetValue<string>(),
            i["source"]?.GetValue<int>() ?? -1,
            i["status"]?.GetValue<int>() ?? -1);
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch sw)
    {
        var left = timeout - sw.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
