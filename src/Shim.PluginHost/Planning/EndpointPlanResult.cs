using Shim.Abstractions;

namespace Shim.PluginHost.Planning;

/// <summary>A reason the sandbox cannot start, naming the plugin, the candidate and (when known) the key to change.</summary>
public sealed record PlanProblem(string Plugin, string? CandidateId, string Message, string? SettingKey)
{
    public override string ToString() => CandidateId is null ? $"plugin {Plugin}: {Message}" : $"plugin {Plugin}, {CandidateId}: {Message}";
}

/// <summary>Everything the plugins asked for, in plugin order, plus problems and notes. Nothing has been applied.</summary>
public sealed record EndpointPlanResult(
    IReadOnlyList<AttachmentRequest> Attachments,
    IReadOnlyList<PlanProblem> Problems,
    IReadOnlyList<string> Notes)
{
    public bool Succeeded => Problems.Count == 0;
}
