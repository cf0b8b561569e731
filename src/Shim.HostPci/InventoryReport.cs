using System.Text;
using System.Text.Json;

namespace Shim.HostPci;

public sealed record DeviceReport(string Bdf, string Vendor, string Device, string Class, string? Driver, bool Pcie, string? Physfn,
    IReadOnlyList<string> Vfs, IReadOnlyList<NetInterface> Net);

public sealed record GroupReport(int Group, bool Assignable, string? Reason, IReadOnlyList<DeviceReport> Devices);

/// <summary>What `kataplug inventory` prints: every IOMMU group with its members and the pre-flight verdict.</summary>
public static class InventoryReport
{
    public static IReadOnlyList<GroupReport> Build(HostInventory inventory, bool allowHostDevices = false) =>
        inventory.Groups.Select(g =>
        {
            var verdict = GroupViability.Check(inventory.Facts, g, allowHostDevices);
            return new GroupReport(g.Number, verdict.Assignable, verdict.Reason, g.Members.Select(Device).ToList());
        }).ToList();

    private static DeviceReport Device(PciFunction f) => new(
        f.Address.ToString(), $"0x{f.Vendor:x4}", $"0x{f.DeviceId:x4}", f.Class.ToString(), f.Driver, f.IsPcie,
        f.PhysFn?.ToString(), f.VirtFns.Select(v => v.ToString()).ToList(), f.NetInterfaces);

    /// <summary>[{"group":N,"assignable":bool,"reason":str|null,"devices":[{"bdf","vendor","device","class","driver","pcie","physfn","vfs"}]}]</summary>
    public static string ToJson(IReadOnlyList<GroupReport> groups)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var g in groups)
            {
                w.WriteStartObject();
                w.WriteNumber("group", g.Group);
                w.WriteBoolean("assignable", g.Assignable);
                if (g.Reason is null) w.WriteNull("reason"); else w.WriteString("reason", g.Reason);
                w.WriteStartArray("devices");
                foreach (var d in g.Devices)
                {
                    w.WriteStartObject();
                    w.WriteString("bdf", d.Bdf);
                    w.WriteString("vendor", d.Vendor);
                    w.WriteString("device", d.Device);
                    w.WriteString("class", d.Class);
                    if (d.Driver is null) w.WriteNull("driver"); else w.WriteString("driver", d.Driver);
                    w.WriteBoolean("pcie", d.Pcie);
                    if (d.Physfn is null) w.WriteNull("physfn"); else w.WriteString("physfn", d.Physfn);
                    w.WriteStartArray("vfs");
                    foreach (var vf in d.Vfs) w.WriteStringValue(vf);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <param name="ungrouped">Functions without an IOMMU group (IOMMU off): listed so the operator sees what exists.</param>
    public static string ToTable(HostFacts facts, IReadOnlyList<GroupReport> groups, IReadOnlyList<GroupClaim>? claims = null,
        IEnumerable<PciFunction>? ungrouped = null)
    {
        var holders = (claims ?? []).ToDictionary(c => c.Group, c => c.SandboxId);
        var sb = new StringBuilder();
        sb.AppendLine($"IOMMU: {(facts.IommuEnabled ? $"on ({facts.IommuGroupCount} groups{(facts.IommuUnits.Count > 0 ? ", " + string.Join(',', facts.IommuUnits) : "")})" : "OFF")}"
            + $"   vfio-pci: {(facts.VfioPciLoaded ? "loaded" : facts.VfioPciModuleAvailable ? "installed, not loaded" : "MISSING")}"
            + $"   /dev/vfio/vfio: {(facts.VfioContainerNode ? "yes" : "no")}{(facts.UnsafeNoIommu ? "   UNSAFE no-IOMMU mode" : "")}");
        sb.AppendLine();
        sb.AppendLine($"{"GROUP",5}  {"ASSIGNABLE",-10}  {"BDF",-13}  {"VEN:DEV",-9}  {"CLASS",-8}  {"DRIVER",-14}  {"PCIE",-4}  SR-IOV / NET");
        foreach (var g in groups)
        {
            bool first = true;
            foreach (var d in g.Devices)
            {
                var relation = d.Physfn is not null ? $"VF of {d.Physfn}" : d.Vfs.Count > 0 ? $"PF, {d.Vfs.Count} VFs" : "";
                var net = string.Join(',', d.Net.Select(n => n.Name + (n.IsUp ? "(up)" : "")));
                var extra = string.Join("  ", new[] { relation, net }.Where(s => s.Length > 0));
                sb.AppendLine($"{(first ? g.Group.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),5}  {(first ? (g.Assignable ? "yes" : "no") : ""),-10}  {d.Bdf,-13}  {d.Vendor[2..] + ":" + d.Device[2..],-9}  {d.Class,-8}  {d.Driver ?? "-",-14}  {(d.Pcie ? "yes" : "no"),-4}  {extra}".TrimEnd());
                first = false;
            }
            if (holders.TryGetValue(g.Group, out var sandbox))
                sb.AppendLine($"{"",5}  claimed by sandbox {sandbox}");
            if (g.Reason is not null)
                sb.AppendLine($"{"",5}  reason: {g.Reason}");
        }
        var loose = (ungrouped ?? []).OrderBy(f => f.Address).Select(Device).ToList();
        foreach (var d in loose)
            sb.AppendLine($"{"-",5}  {"no",-10}  {d.Bdf,-13}  {d.Vendor[2..] + ":" + d.Device[2..],-9}  {d.Class,-8}  {d.Driver ?? "-",-14}  {(d.Pcie ? "yes" : "no"),-4}".TrimEnd());
        if (groups.Count == 0)
            sb.AppendLine("(no IOMMU groups: nothing can be assigned)");
        return sb.ToString();
    }
}
