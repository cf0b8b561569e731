using System.Text.Json.Serialization;

namespace Shim.HostPci;

/// <summary>Where a binding stands. Anything but <see cref="Bound"/> is incomplete.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BindingState>))]
public enum BindingState { Binding, Bound, Restoring }

/// <summary>One sysfs write of a bind or restore sequence, named in the journal.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BindingStep>))]
public enum BindingStep
{
    None,
    SetVfioOverride,
    UnbindHostDriver,
    ProbeVfio,
    SetOriginalOverride,
    UnbindCurrentDriver,
    ProbeOriginal,
    RestoreOverride,
}

/// <summary>Intent is durable before the write; Done or Failed after it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepPhase>))]
public enum StepPhase { Intent, Done, Failed }

/// <summary>One member of a journaled binding: what it was before we touched it, and the last step.</summary>
public sealed record MemberRecord(
    string Bdf,
    string? OriginalDriver,
    string? OriginalOverride,
    BindingStep Step = BindingStep.None,
    StepPhase Phase = StepPhase.Done,
    string? Error = null);

/// <summary>The journal entry for one group claimed by one sandbox (file <c>bindings/group-&lt;N&gt;.json</c>).</summary>
public sealed record BindingRecord(
    string SandboxId,
    int Group,
    BindingState State,
    IReadOnlyList<MemberRecord> Members,
    DateTimeOffset UpdatedAt,
    int Version = 1)
{
    public bool IsComplete => State == BindingState.Bound;

    public BindingRecord WithMember(MemberRecord member) => this with
    {
        Members = Members.Select(m => m.Bdf == member.Bdf ? member : m).ToList(),
        UpdatedAt = DateTimeOffset.UtcNow,
    };
}
