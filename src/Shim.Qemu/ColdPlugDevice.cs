namespace Shim.Qemu;

/// <summary>A device on the QEMU command line: either structured (<see cref="QemuDevice"/>) or a raw <c>-device</c> value.</summary>
public abstract record ColdPlugDevice
{
    /// <summary>The value after <c>-device</c>.</summary>
    public abstract string ToDeviceArgument();

    /// <summary>The bus id if known (structured devices only; raw strings are not parsed).</summary>
    public abstract string? Bus { get; }

    public static implicit operator ColdPlugDevice(QemuDevice device) => new StructuredDevice(device);

    public static ColdPlugDevice Raw(string deviceArgument) => new RawDevice(deviceArgument);
}

/// <summary>A structured cold-plugged device.</summary>
public sealed record StructuredDevice(QemuDevice Device) : ColdPlugDevice
{
    public override string ToDeviceArgument() => Device.ToDeviceArgument();

    public override string? Bus => Device.Bus;
}

/// <summary>A <c>-device</c> value produced elsewhere (e.g. by the topology planner), passed through verbatim.</summary>
public sealed record RawDevice(string Argument) : ColdPlugDevice
{
    public override string ToDeviceArgument() => Argument;

    public override string? Bus => null;
}
