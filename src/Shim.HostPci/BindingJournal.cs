using System.Text.Json;

namespace Shim.HostPci;

/// <summary>
/// Write-ahead journal of group bindings: one durable JSON file per claimed group under
/// <c>&lt;state&gt;/bindings/group-&lt;N&gt;.json</c>, rewritten atomically (temp + fsync + rename + directory fsync)
/// before and after every sysfs write. It survives shim crashes and restarts; the files vanish once restored.
/// </summary>
public sealed class BindingJournal
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Default state directory: on tmpfs, because bindings do not survive a reboot either.</summary>
    public const string DefaultStateDirectory = "/run/kataplug/hostpci";

    public BindingJournal(string stateDirectory)
    {
        StateDirectory = Path.GetFullPath(stateDirectory);
        BindingsDirectory = Path.Combine(StateDirectory, "bindings");
    }

    public string StateDirectory { get; }
    public string BindingsDirectory { get; }

    public string PathFor(int group) => Path.Combine(BindingsDirectory, $"group-{SysfsName.RequireGroup(group)}.json");

    public void Save(BindingRecord record) =>
        DurableFile.WriteAllBytes(PathFor(record.Group), JsonSerializer.SerializeToUtf8Bytes(record, Json));

    public BindingRecord? Load(int group)
    {
        var path = PathFor(group);
        return File.Exists(path) ? Parse(path) : null;
    }

    public IReadOnlyList<BindingRecord> List()
    {
        if (!Directory.Exists(BindingsDirectory)) return Array.Empty<BindingRecord>();
        return Directory.EnumerateFiles(BindingsDirectory, "group-*.json")
            .Select(Parse)
            .OrderBy(r => r.Group)
            .ToList();
    }

    /// <summary>
    /// Like <see cref="List"/>, but a corrupt entry does not hide the others: it is reported in
    /// <paramref name="errors"/> and its group number (from the file name) in <paramref name="unreadableGroups"/>.
    /// </summary>
    public IReadOnlyList<BindingRecord> ListReadable(List<string> errors, List<int> unreadableGroups)
    {
        var records = new List<BindingRecord>();
        if (!Directory.Exists(BindingsDirectory)) return records;
        foreach (var path in Directory.EnumerateFiles(BindingsDirectory, "group-*.json"))
        {
            try
            {
                records.Add(Parse(path));
            }
            catch (InvalidDataException e)
            {
                errors.Add(e.Message);
                var name = Path.GetFileNameWithoutExtension(path);
                if (SysfsName.TryParseGroup(name["group-".Length..], out var g)) unreadableGroups.Add(g);
            }
        }
        records.Sort((a, b) => a.Group.CompareTo(b.Group));
        return records;
    }

    public void Delete(int group) => DurableFile.Delete(PathFor(group));

    private static BindingRecord Parse(string path)
    {
        try
        {
            var record = JsonSerializer.Deserialize<BindingRecord>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException("empty record");
            foreach (var m in record.Members)
                _ = PciAddress.Parse(m.Bdf);
            return record;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
        {
            throw new InvalidDataException($"journal file {path} is corrupt ({e.Message}); inspect it, restore the devices by hand, then delete it", e);
        }
    }
}
