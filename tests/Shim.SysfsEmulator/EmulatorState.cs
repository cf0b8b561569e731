using System.Text.Json;

namespace Shim.SysfsEmulator;

/// <summary>A driver's ID table ("vvvv:dddd", device "*" = any) and dynamic IDs added through new_id.</summary>
public sealed record DriverTable(string Name, List<string> Ids, List<string> DynamicIds, string? Module = null);

/// <summary>Facts the kernel keeps outside sysfs: which netdevs a function creates under which driver.</summary>
public sealed record DeviceFacts(
    string Bdf,
    string? NetDriver = null,
    List<string>? NetInterfaces = null,
    bool InterfacesUp = false,
    string? VfDriver = null,
    string? VfInterfacePrefix = null,
    ushort VfDeviceId = 0,
    int VfOffset = 0x80,
    int VfStride = 1,
    bool VfioDenied = false);

internal static class EmulatorJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static T? Read<T>(string path) where T : class =>
        File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) : null;

    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(value, Options));
        File.Move(temp, path, overwrite: true);
    }
}
