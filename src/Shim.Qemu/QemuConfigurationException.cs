namespace Shim.Qemu;

/// <summary>A launch spec or hotplug request is invalid; detected before QEMU sees it.</summary>
public sealed class QemuConfigurationException(string message) : Exception(message);
