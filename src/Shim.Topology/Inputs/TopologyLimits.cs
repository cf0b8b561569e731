namespace Shim.Topology;

/// <summary>
/// Hard limits. Counts above them are refused with a problem, never clamped (Kata clamps silently, W11).
/// </summary>
/// <param name="MaxRootPorts">Range of <c>pcie_root_port</c> (Kata's 0–16). The pcie.0 slot budget below may lower it further.</param>
/// <param name="MaxSwitchPorts">Range of <c>pcie_switch_port</c> (Kata's 0–16; one switch's internal bus could hold 32).</param>
/// <param name="MaxBridges">Range of <c>default_bridges</c> (Kata: at most 5).</param>
/// <param name="BridgeSlots">Device slots used per pci-bridge (1..30; slot 0 is left to the bridge's SHPC).</param>
/// <param name="RootBusSlots">Slots on the root bus for our devices: pcie.0 has 32, 00.0 is the host bridge and 1f the ICH9 functions.</param>
/// <param name="ReservedRootBusSlots">Root-bus slots the launcher keeps for its own devices (console, vsock, rng, shared fs, block, balloon).</param>
public sealed record TopologyLimits(
    int MaxRootPorts = 16,
    int MaxSwitchPorts = 16,
    int MaxBridges = 5,
    int BridgeSlots = 30,
    int RootBusSlots = 30,
    int ReservedRootBusSlots = 6)
{
    public static TopologyLimits Default { get; } = new();
}
