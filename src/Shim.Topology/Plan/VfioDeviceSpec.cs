using System.Globalization;

namespace Shim.Topology;

/// <summary>
/// A <c>vfio-pci</c> device on a planned port: the same record renders the cold-plug <c>-device</c> text and the
/// hot-plug <c>device_add</c> arguments, so both always name a bus from the plan (W10).
/// </summary>
public sealed record VfioDeviceSpec(string Id, string Host, ushort VendorId, ushort DeviceId, string Bus, int Addr, PortType PortType)
{
    /// <summary>QEMU id derived from the BDF: stable across restarts and unique per host function.</summary>
    public static string IdFor(string bdf) => "vfio-" + bdf.Replace(':', '-');

    /// <summary>
    /// <c>vfio-pci,host=0000:84:01.1,id=vfio-0000-84-01.1,x-pci-vendor-id=0x15b3,x-pci-device-id=0x101e,bus=rp0</c>.
    /// On a bridge, <c>addr</c> is appended because we track the bridge's slots ourselves.
    /// </summary>
    public string CommandLineArgument
    {
        get
        {
            var text = string.Join(",", CommandLineProperties);
            return "vfio-pci," + text;
        }
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<QemuProperty> CommandLineProperties
    {
        get
        {
            var list = new List<QemuProperty>
            {
                new("host", Host),
                new("id", Id),
                new("x-pci-vendor-id", Hex(VendorId)),
                new("x-pci-device-id", Hex(DeviceId)),
                new("bus", Bus),
            };
            if (PortType == PortType.BridgePort)
            {
                list.Add(new("addr", AddrText));
            }

            return list;
        }
    }

    /// <summary>
    /// Arguments of QMP <c>device_add</c>; <c>addr</c> is always given: without it QEMU 7.2 puts a second device on an
    /// occupied root port at slot 1, invisible to the guest (qmp.md §7.1).
    /// </summary>
    public IReadOnlyList<QemuProperty> DeviceAddArguments =>
    [
        new("driver", "vfio-pci"),
        new("id", Id),
        new("host", Host),
        new("bus", Bus),
        new("addr", AddrText),
    ];

    private string AddrText => "0x" + Addr.ToString("x", CultureInfo.InvariantCulture);

    private static string Hex(ushort v) => "0x" + v.ToString("x4", CultureInfo.InvariantCulture);
}
