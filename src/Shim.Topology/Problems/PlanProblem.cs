namespace Shim.Topology;

/// <summary>
/// One problem found before any side effect. <see cref="Fixes"/> lists every change needed, smallest first-class
/// fix first; host problems (IOMMU, vfio-pci, groups) have no configuration fix and say the action in the message.
/// </summary>
public sealed record PlanProblem(ProblemCode Code, DeviceRef? Device, IReadOnlyList<SettingChange> Fixes, string Message)
{
    /// <summary>The key (with its annotation) to change, or null for host-side problems.</summary>
    public SettingKey? Key => Fixes.Count > 0 ? Fixes[0].Key : null;

    /// <summary>The smallest value that works for <see cref="Key"/>, e.g. <c>&gt;= 1</c>, <c>&lt;= 16</c> or <c>"root-port"</c>.</summary>
    public string? MinimalValue => Fixes.Count == 0 ? null : Fixes[0].Kind == ChangeKind.Set ? Fixes[0].RenderValue() : Fixes[0].Render()[(Fixes[0].Key.Name.Length + 1)..];

    public override string ToString() => Message;
}
