using System.Text.RegularExpressions;

namespace Shim.Qemu;

/// <summary>Builds the QEMU argument vector for a <see cref="QemuLaunchSpec"/>, validating it first.</summary>
public static partial class QemuCommandLine
{
    public const string RootBus = "pcie.0";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex QdevId();

    /// <summary>The arguments after the binary name. Throws <see cref="QemuConfigurationException"/> naming the bad value.</summary>
    public static IReadOnlyList<string> Build(QemuLaunchSpec spec)
    {
        Validate(spec);
        var a = new List<string>(64) { "-machine" };
        a.Add(spec.SharedMemory ? "q35,memory-backend=mem0" : "q35");
        a.AddRange(["-accel", spec.Accelerator]);
        if (spec.CpuModel is not null) a.AddRange(["-cpu", spec.CpuModel]);
        a.AddRange(["-m", $"{spec.MemoryMiB}M", "-smp", spec.Smp.ToArgument()]);
        if (spec.SharedMemory)
        {
            a.AddRange(["-object", $"memory-backend-memfd,id=mem0,size={spec.MemoryMiB}M,share=on"]);
        }
        a.AddRange(["-nodefaults", "-no-user-config", "-display", "none"]);
        if (spec.StartPaused) a.Add("-S");
        if (spec.HotplugMode == PciHotplugMode.Native)
        {
            a.AddRange(["-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"]);
        }
        a.AddRange(["-qmp", $"unix:{spec.QmpSocketPath},server=on,wait=off"]);
        if (spec.SerialSocketPath is not null)
        {
            a.AddRange(["-chardev", $"socket,id=ser0,path={spec.SerialSocketPath},server=on,wait=off", "-serial", "chardev:ser0"]);
        }
        if (spec.Kernel is not null) a.AddRange(["-kernel", spec.Kernel]);
        if (spec.Initrd is not null) a.AddRange(["-initrd", spec.Initrd]);
        if (spec.KernelAppend is not null) a.AddRange(["-append", spec.KernelAppend]);

        foreach (var d in TopologyDevices(spec.Topology)) a.AddRange(["-device", d]);
        foreach (var d in spec.Devices) a.AddRange(["-device", d.ToDeviceArgument()]);
        a.AddRange(spec.ExtraArguments);
        return a;
    }

    /// <summary>The <c>-device</c> values for the ports, in dependency order (root ports, switches, bridges).</summary>
    public static IEnumerable<string> TopologyDevices(QemuTopology t)
    {
        foreach (var rp in t.RootPorts)
        {
            var s = $"pcie-root-port,id={rp.Id},bus={RootBus},chassis={rp.Chassis},slot={rp.Slot}";
            if (rp.Addr is not null) s += $",addr={rp.Addr}";
            if (!rp.Hotplug) s += ",hotplug=off";
            if (rp.BusReserve is { } br) s += $",bus-reserve={br}";
            if (rp.MemReserve is not null) s += $",mem-reserve={rp.MemReserve}";
            if (rp.Pref64Reserve is not null) s += $",pref64-reserve={rp.Pref64Reserve}";
            yield return s;
        }
        foreach (var sw in t.Switches)
        {
            yield return $"x3130-upstream,id={sw.UpstreamId},bus={sw.RootPortId}";
            foreach (var dp in sw.DownstreamPorts)
            {
                yield return $"xio3130-downstream,id={dp.Id},bus={sw.UpstreamId},chassis={dp.Chassis},slot={dp.Slot}"
                    + (dp.Hotplug ? "" : ",hotplug=off");
            }
        }
        // Bridges may sit behind ports or other bridges: emit each after its parent bus exists.
        var emitted = new HashSet<string>(t.RootPorts.Select(r => r.Id).Concat(t.Switches.SelectMany(s => s.DownstreamPorts.Select(d => d.Id))))
        {
            RootBus,
        };
        var left = t.Bridges.ToList();
        while (left.Count > 0)
        {
            var ready = left.FirstOrDefault(b => emitted.Contains(b.Bus))
                ?? throw new QemuConfigurationException($"pci-bridge '{left[0].Id}' sits on bus '{left[0].Bus}', which no port or bridge creates.");
            left.Remove(ready);
            emitted.Add(ready.Id);
            yield return $"pci-bridge,id={ready.Id},bus={ready.Bus},chassis_nr={ready.ChassisNr}" + (ready.Addr is null ? "" : $",addr={ready.Addr}");
        }
    }

    /// <summary>All checks QEMU would otherwise fail on at start (each costing a 0.2 s start and an exit 1).</summary>
    public static void Validate(QemuLaunchSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.QmpSocketPath))
        {
            throw new QemuConfigurationException("QmpSocketPath is empty; give a unix socket path for -qmp.");
        }
        if (spec.QmpSocketPath.Length > 107)
        {
            throw new QemuConfigurationException($"QMP socket path '{spec.QmpSocketPath}' is {spec.QmpSocketPath.Length} bytes; unix sockets allow 107. Use a shorter runtime directory.");
        }
        if (spec.QmpSocketPath.Contains(',', StringComparison.Ordinal))
        {
            throw new QemuConfigurationException($"QMP socket path '{spec.QmpSocketPath}' contains ','; QEMU would split it. Use a path without commas.");
        }
        if (spec.Accelerator is not ("tcg" or "kvm"))
        {
            throw new QemuConfigurationException($"Accelerator '{spec.Accelerator}' is not supported; use 'tcg' or 'kvm'.");
        }
        if (spec.MemoryMiB < 16)
        {
            throw new QemuConfigurationException($"MemoryMiB={spec.MemoryMiB} is too small; give at least 16.");
        }
        if (spec.Initrd is not null && spec.Kernel is null)
        {
            throw new QemuConfigurationException($"Initrd '{spec.Initrd}' given without Kernel; set Kernel or drop Initrd.");
        }
        spec.Smp.Validate();
        ValidateTopology(spec.Topology, spec.Devices);
    }

    private static void ValidateTopology(QemuTopology t, IReadOnlyList<ColdPlugDevice> devices)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        void Id(string id, string what)
        {
            if (!QdevId().IsMatch(id ?? ""))
            {
                throw new QemuConfigurationException($"{what} id '{id}' is not a valid qdev id (letter first, then letters, digits, '_', '.', '-').");
            }
            if (!ids.Add(id!))
            {
                throw new QemuConfigurationException($"Device id '{id}' is used twice; QEMU would fail with Duplicate device ID '{id}'.");
            }
        }

        var slots = new HashSet<(int, int)>();
        void ChassisSlot(string id, int chassis, int slot)
        {
            if (chassis is < 0 or > 255 || slot is < 0 or > 255)
            {
                throw new QemuConfigurationException($"Port '{id}': chassis={chassis} slot={slot} out of range 0..255.");
            }
            if (!slots.Add((chassis, slot)))
            {
                throw new QemuConfigurationException($"Port '{id}': chassis={chassis},slot={slot} is already used by another port; every (chassis, slot) pair must be unique.");
            }
        }

        // Port id → what occupies its slot 0 (a port has exactly one downstream device position).
        var portOccupant = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var rp in t.RootPorts)
        {
            Id(rp.Id, "Root port");
            ChassisSlot(rp.Id, rp.Chassis, rp.Slot);
            portOccupant[rp.Id] = null;
        }
        foreach (var sw in t.Switches)
        {
            Id(sw.UpstreamId, "Switch upstream port");
            if (!portOccupant.TryGetValue(sw.RootPortId, out var occ))
            {
                throw new QemuConfigurationException($"Switch '{sw.UpstreamId}' sits on root port '{sw.RootPortId}', which is not in RootPorts.");
            }
            if (occ is not null)
            {
                throw new QemuConfigurationException($"Root port '{sw.RootPortId}' already holds '{occ}'; give switch '{sw.UpstreamId}' its own root port.");
            }
            portOccupant[sw.RootPortId] = sw.UpstreamId;
            if (sw.DownstreamPorts.Count == 0)
            {
                throw new QemuConfigurationException($"Switch '{sw.UpstreamId}' has no downstream ports; add at least one.");
            }
            foreach (var dp in sw.DownstreamPorts)
            {
                Id(dp.Id, "Switch downstream port");
                ChassisSlot(dp.Id, dp.Chassis, dp.Slot);
                portOccupant[dp.Id] = null;
            }
        }
        var buses = new HashSet<string>(portOccupant.Keys, StringComparer.Ordinal) { RootBus };
        foreach (var b in t.Bridges)
        {
            Id(b.Id, "PCI bridge");
            buses.Add(b.Id);
        }
        foreach (var b in t.Bridges)
        {
            if (!buses.Contains(b.Bus))
            {
                throw new QemuConfigurationException($"pci-bridge '{b.Id}' sits on bus '{b.Bus}', which no port or bridge creates.");
            }
            if (portOccupant.TryGetValue(b.Bus, out var occ))
            {
                if (occ is not null) throw new QemuConfigurationException($"Port '{b.Bus}' already holds '{occ}'; put bridge '{b.Id}' elsewhere.");
                portOccupant[b.Bus] = b.Id;
            }
        }

        foreach (var d in devices)
        {
            if (d is not StructuredDevice { Device: var dev }) continue;
            Id(dev.Id, $"Device ({dev.Driver})");
            if (dev.Bus is null) continue;
            if (!buses.Contains(dev.Bus))
            {
                throw new QemuConfigurationException(
                    $"Device '{dev.Id}' targets bus '{dev.Bus}', which the topology does not create; QEMU would fail with Bus '{dev.Bus}' not found. Known buses: {string.Join(", ", buses.Order(StringComparer.Ordinal))}.");
            }
            if (portOccupant.TryGetValue(dev.Bus, out var occ))
            {
                if (occ is not null)
                {
                    throw new QemuConfigurationException($"Port '{dev.Bus}' already holds '{occ}'; device '{dev.Id}' needs a free port (a second device would sit at slot 1, invisible to a Linux guest).");
                }
                portOccupant[dev.Bus] = dev.Id;
            }
        }
    }
}
