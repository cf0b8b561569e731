using System.Globalization;

namespace Shim.SysfsEmulator;

/// <summary>
/// Compact text description of a host, one function (or option) per line; '#' starts a comment.
/// <code>
/// hostbridge 0000:00:00.0
/// rootport   0000:00:02.0
/// sriov-nic  0000:3b:00.0 total=8 vfs=2 pf-driver=ixgbe vf-driver=ixgbevf if=ens1f0 up behind=0000:00:02.0
/// nic        0000:05:00.0 driver=e1000e if=eno1 up group=7 same-group=0000:05:00.1
/// gpu        0000:65:00.0 driver=nouveau audio
/// nvme       0000:02:00.0 disk=nvme0n1 mounted=/
/// device     0000:00:1f.0 vendor=8086 device=a1c8 class=060100 driver=lpc_ich group=20 conventional
/// option     no-iommu | no-vfio-pci | vfio-module | unsafe-noiommu
/// </code>
/// </summary>
public static class HostSpec
{
    public static EmulatedHostBuilder Parse(string text)
    {
        var builder = new EmulatedHostBuilder();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var kv = words.Skip(2).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
            string? Get(string key) => kv.TryGetValue(key, out var v) ? v : null;
            int? Int(string key) => Get(key) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
            ushort? Hex16(string key) => Get(key) is { } v ? ushort.Parse(v.Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture) : null;
            try
            {
                switch (words[0])
                {
                    case "option":
                        foreach (var o in words.Skip(1))
                            _ = o switch
                            {
                                "no-iommu" => builder.WithoutIommu(),
                                "no-vfio-pci" => builder.WithoutVfioPci(),
                                "vfio-module" => builder.WithoutVfioPci(installed: true),
                                "unsafe-noiommu" => builder.WithUnsafeNoIommu(),
                                _ => throw new FormatException($"unknown option '{o}'"),
                            };
                        break;
                    case "hostbridge": builder.HostBridge(words[1], Int("group")); break;
                    case "rootport": builder.RootPort(words[1], Int("group"), Get("behind")); break;
                    case "nic":
                        builder.Nic(words[1], Get("driver") ?? "e1000e", Get("if"), kv.ContainsKey("up"), Int("group"), Get("same-group"), Get("behind"),
                            Hex16("vendor") ?? 0x8086, Hex16("device") ?? 0x10d3);
                        break;
                    case "sriov-nic":
                        builder.SriovNic(words[1], Int("total") ?? 8, Int("vfs") ?? 0, Get("pf-driver") ?? "ixgbe", Get("vf-driver") ?? "ixgbevf",
                            Get("if") ?? "ens1f0", kv.ContainsKey("up"), Get("behind"), Hex16("vendor") ?? 0x8086, Hex16("pf-device") ?? 0x10fb,
                            Hex16("vf-device") ?? 0x10ed, Int("offset") ?? 0x80, Int("stride") ?? 2);
                        break;
                    case "gpu": builder.Gpu(words[1], kv.ContainsKey("audio"), Get("driver") ?? "nouveau", behind: Get("behind"), group: Int("group")); break;
                    case "nvme": builder.Nvme(words[1], Get("disk") ?? "nvme0n1", Get("mounted"), Int("group")); break;
                    case "device":
                        builder.Device(new DeviceSpec(words[1])
                        {
                            Vendor = Hex16("vendor") ?? 0x8086,
                            Device = Hex16("device") ?? 0x1234,
                            Class = Get("class") is { } c ? uint.Parse(c.Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0x020000,
                            Driver = Get("driver"),
                            Group = Int("group"),
                            SameGroupAs = Get("same-group"),
                            Behind = Get("behind"),
                            Pcie = !kv.ContainsKey("conventional"),
                            NetInterfaces = Get("if") is { } i ? [i] : [],
                            InterfacesUp = kv.ContainsKey("up"),
                            VfioDenied = kv.ContainsKey("vfio-denied"),
                        });
                        break;
                    default: throw new FormatException($"unknown kind '{words[0]}'");
                }
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new FormatException($"host spec line {lineNo} ('{line}'): {e.Message}", e);
            }
        }
        return builder;
    }
}
