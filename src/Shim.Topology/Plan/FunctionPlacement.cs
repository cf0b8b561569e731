namespace Shim.Topology;

/// <summary>Where one requested function goes. <see cref="Mode"/> is resolved (Cold or Hot, never Auto).</summary>
public sealed record FunctionPlacement(DeviceRef Device, PlugMode Mode, PortSlot Port, VfioDeviceSpec Vfio);

/// <summary>A vhost-user NIC: cold on the root bus, or hot on a free port.</summary>
public sealed record VhostUserPlacement(DeviceRef Device, PlugMode Mode, string Bus, string? PortId, string SocketPath);

/// <summary>A requested function that is deliberately not plugged (host/PCI bridges), and why.</summary>
public sealed record SkippedFunction(DeviceRef Device, string Reason);
