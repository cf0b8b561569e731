namespace Shim.Qemu;

/// <summary>A device QEMU accepted, with where the guest will find it.</summary>
public sealed record PciAttachResult(string Id, string Bus, GuestPciPath GuestPath, TimeSpan Elapsed);
