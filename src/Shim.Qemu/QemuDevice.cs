using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Shim.Qemu;

/// <summary>
/// A qdev device with its properties, rendered either as a <c>-device</c> value (cold plug) or as
/// <c>device_add</c> arguments (hotplug) from the same data. Property values are <see cref="string"/>,
/// <see cref="int"/>, <see cref="long"/> or <see cref="bool"/>: QMP checks JSON types (integers must be numbers).
/// </summary>
public sealed record QemuDevice(string Driver, string Id, string? Bus, string? Addr, IReadOnlyList<KeyValuePair<string, object>> Properties)
{
    /// <summary>
    /// <c>vfio-pci</c> for a host function. <paramref name="addr"/> defaults to <c>0x0</c>: without it QEMU 7.2 puts a
    /// second device on an occupied root port at slot 1, where a Linux guest never looks.
    /// </summary>
    public static QemuDevice VfioPci(
        string id,
        string hostBdf,
        string bus,
        string? addr = "0x0",
        int? vendorId = null,
        int? deviceId = null,
        string? romfile = null,
        string? iommufdId = null)
    {
        var props = new List<KeyValuePair<string, object>> { new("host", PciAddressFormat.NormalizeBdf(hostBdf)) };
        if (vendorId is { } v) props.Add(new("x-pci-vendor-id", v));
        if (deviceId is { } d) props.Add(new("x-pci-device-id", d));
        if (!string.IsNullOrEmpty(romfile)) props.Add(new("romfile", romfile));
        if (!string.IsNullOrEmpty(iommufdId)) props.Add(new("iommufd", iommufdId));
        return new QemuDevice("vfio-pci", id, bus, addr, props);
    }

    /// <summary>Any PCI device (e.g. <c>virtio-net-pci</c> with <c>netdev</c>).</summary>
    public static QemuDevice Pci(string driver, string id, string bus, string? addr = "0x0", params (string Name, object Value)[] properties) =>
        new(driver, id, bus, addr, [.. properties.Select(p => new KeyValuePair<string, object>(p.Name, p.Value))]);

    public string ToDeviceArgument()
    {
        var sb = new StringBuilder(Driver);
        Append(sb, "id", Id);
        if (Bus is not null) Append(sb, "bus", Bus);
        if (Addr is not null) Append(sb, "addr", Addr);
        foreach (var (k, v) in Properties) Append(sb, k, FormatCli(v));
        return sb.ToString();
    }

    public JsonObject ToDeviceAddArguments()
    {
        var o = new JsonObject { ["driver"] = Driver, ["id"] = Id };
        if (Bus is not null) o["bus"] = Bus;
        if (Addr is not null) o["addr"] = Addr;
        foreach (var (k, v) in Properties)
        {
            o[k] = v switch
            {
                string s => JsonValue.Create(s),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                bool b => JsonValue.Create(b),
                _ => throw new ArgumentException($"Property '{k}' of device '{Id}' has unsupported type {v.GetType().Name}; use string, int, long or bool.", nameof(Properties)),
            };
        }
        return o;
    }

    // QEMU option syntax: ',' separates properties, so a literal comma in a value is written ",,".
    private static void Append(StringBuilder sb, string key, string value) =>
        sb.Append(',').Append(key).Append('=').Append(value.Replace(",", ",,", StringComparison.Ordinal));

    private static string FormatCli(object v) => v switch
    {
        bool b => b ? "on" : "off",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
