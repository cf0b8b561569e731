namespace Shim.Configuration;

/// <summary>kataplug extension: the QEMU accelerator (-accel).</summary>
public enum QemuAccelerator
{
    Tcg,
    Kvm,
}
