namespace Shim.SysfsEmulator;

/// <summary>One logged write: path relative to the root, value (newlines escaped), "ok" or the errno name.</summary>
public sealed record WriteRecord(string Path, string Value, string Result)
{
    /// <summary>Compact form for assertions: "0000:3b:02.1/driver_override=vfio-pci", "ixgbevf/unbind=0000:3b:02.1", "drivers_probe=0000:3b:02.1".</summary>
    public string Short
    {
        get
        {
            var parts = Path.Split('/');
            var name = parts[^1];
            string head = parts.Length >= 2 ? parts[^2] : "";
            var text = Path == "sys/bus/pci/drivers_probe" ? $"drivers_probe={Value}" : $"{head}/{name}={Value}";
            return Result == "ok" ? text : $"{text} -> {Result}";
        }
    }

    public override string ToString() => Short;
}
