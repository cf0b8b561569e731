namespace Shim.Topology;

/// <summary>The settings being checked and the problems found so far (one planning run; not shared).</summary>
internal sealed class PlanContext(TopologySettings settings)
{
    public TopologySettings S { get; } = settings;
    public MachineFamily Family { get; } = settings.Family;
    public List<PlanProblem> Problems { get; } = [];

    public SettingKey Key(TopologySetting setting) => S.Keys.For(setting);

    /// <summary><c>pcie_root_port = 0</c>: a key and its current value, as messages show it.</summary>
    public string Is(TopologySetting setting) => $"{Key(setting).Name} = {S.Current(setting)}";

    public void Add(ProblemCode code, DeviceRef? device, string what, IReadOnlyList<SettingChange> fixes, string? otherwise = null)
    {
        var prefix = device is null ? "" : device + ": ";
        var fix = fixes.Count > 0 ? " — " + FixText.Of(fixes) : "";
        var tail = otherwise is null ? "" : (fixes.Count > 0 ? "; " : " — ") + otherwise;
        Problems.Add(new PlanProblem(code, device, fixes, prefix + what + fix + tail));
    }
}

/// <summary>Renders fixes the way the messages read: one change names its table, several read "X (and Y, Z)".</summary>
internal static class FixText
{
    public static string Of(IReadOnlyList<SettingChange> fixes)
    {
        if (fixes.Count == 1)
        {
            return $"set {fixes[0].Render()} in [{fixes[0].Key.Section}]";
        }

        return $"set {fixes[0].Render()} (and {string.Join(", ", fixes.Skip(1).Select(f => f.Render()))})";
    }
}
