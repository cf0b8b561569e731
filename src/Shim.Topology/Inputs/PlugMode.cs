namespace Shim.Topology;

public enum PlugMode
{
    /// <summary>Whichever of <c>cold_plug_vfio</c>/<c>hot_plug_vfio</c> is set (Kata's behaviour for VFIO devices).</summary>
    Auto,

    /// <summary>On the QEMU command line at boot.</summary>
    Cold,

    /// <summary>With <c>device_add</c> after boot, onto a port created at boot.</summary>
    Hot,
}
