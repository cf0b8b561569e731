namespace Shim.Configuration;

/// <summary>Kata's cold_plug_vfio / hot_plug_vfio values: where a VFIO device is attached in the guest.</summary>
public enum PciePortType
{
    /// <summary>"no-port": this plug path is disabled.</summary>
    NoPort,
    /// <summary>"bridge-port": behind a PCI bridge (default_bridges).</summary>
    BridgePort,
    /// <summary>"root-port": on a pcie-root-port (pcie_root_port).</summary>
    RootPort,
    /// <summary>"switch-port": on a downstream port of a PCIe switch (pcie_switch_port).</summary>
    SwitchPort,
}
