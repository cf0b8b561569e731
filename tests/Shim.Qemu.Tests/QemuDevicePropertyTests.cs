using System.Text.Json.Nodes;
using FsCheck.Xunit;

namespace Shim.Qemu.Tests;

public sealed class QemuDevicePropertyTests
{
    /// <summary>Any valid BDF normalizes to the canonical form, idempotently, whatever its case or missing domain.</summary>
    [Property]
    public bool Bdf_normalization_is_canonical_and_idempotent(ushort domain, byte bus, byte slot, byte function, bool upper, bool shortForm)
    {
        var canonical = $"{domain:x4}:{bus:x2}:{slot & 0x1f:x2}.{function & 7}";
        var input = shortForm && domain == 0 ? canonical[5..] : canonical;
        if (upper) input = input.ToUpperInvariant();
        var n = PciAddressFormat.NormalizeBdf(input);
        return n == canonical && PciAddressFormat.NormalizeBdf(n) == n;
    }

    /// <summary>Cold plug and hotplug render the same properties: every -device key=value is in device_add's JSON.</summary>
    [Property]
    public bool Command_line_and_device_add_carry_the_same_properties(byte bus, byte slot, ushort vendor, ushort device, bool withIds)
    {
        var d = QemuDevice.VfioPci("v0", $"0000:{bus:x2}:{slot & 0x1f:x2}.0", "rp0",
            vendorId: withIds ? vendor : null, deviceId: withIds ? device : null);
        var json = d.ToDeviceAddArguments();
        var cli = d.ToDeviceArgument().Split(',');
        return cli[0] == json["driver"]!.GetValue<string>()
            && cli.Skip(1).Select(kv => kv.Split('=', 2)).All(kv => json[kv[0]] is JsonValue v && v.ToString() == kv[1])
            && json.Count == cli.Length;
    }

    /// <summary>Unique chassis/slot pairs always build; repeating any one pair is always refused.</summary>
    [Property]
    public bool Chassis_slot_pairs_must_be_unique(byte[] seeds)
    {
        var pairs = seeds.Take(20).Select(s => (Chassis: s % 16, Slot: s / 16)).Distinct().ToList();
        var ports = pairs.Select((p, i) => new PcieRootPort($"rp{i}", p.Chassis, p.Slot)).ToList();
        var spec = new QemuLaunchSpec { QmpSocketPath = "/run/q.sock", Topology = new(ports, [], []) };
        var built = QemuCommandLine.Build(spec).Count(a => a.StartsWith("pcie-root-port,", StringComparison.Ordinal)) == ports.Count;
        if (ports.Count == 0) return built;
        var dup = spec with { Topology = new([.. ports, ports[0] with { Id = "dup" }], [], []) };
        try
        {
            QemuCommandLine.Build(dup);
            return false;
        }
        catch (QemuConfigurationException e)
        {
            return built && e.Message.Contains("is already used", StringComparison.Ordinal);
        }
    }
}
