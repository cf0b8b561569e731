using Shim.Abstractions;

namespace Kataplug.Plugins.Vfio;

/// <summary>One IOMMU group a container asked for; <see cref="Problem"/> makes planning fail.</summary>
internal sealed record VfioGroupCandidate(VfioDeviceRequest Request, int Group, IReadOnlyList<PciFunctionInfo> Functions, string? Problem);
