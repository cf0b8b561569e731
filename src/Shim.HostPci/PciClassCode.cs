namespace Shim.HostPci;

/// <summary>The 24-bit PCI class code from sysfs <c>class</c> (<c>0x020000</c>): base class, subclass, prog-if.</summary>
public readonly record struct PciClassCode(uint Value)
{
    public const ushort HostBridge = 0x0600;
    public const ushort PciBridge = 0x0604;

    /// <summary>Base class and subclass (<c>class &gt;&gt; 8</c>), e.g. 0x0200 Ethernet, 0x0403 HD audio.</summary>
    public ushort BaseAndSub => (ushort)(Value >> 8);

    /// <summary>
    /// The one documented exclusion list (W6): exactly host bridges (0x0600) and PCI-PCI bridges (0x0604) are not
    /// passed through. Everything else in a group — NVSwitch (0x0680), audio (0x0403) — goes with the device.
    /// </summary>
    public bool IsIgnoredBridge => BaseAndSub is HostBridge or PciBridge;

    public bool IsNetwork => (Value >> 16) == 0x02;

    public override string ToString() => $"0x{Value:x6}";
}
