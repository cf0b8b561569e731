namespace Shim.Abstractions;

/// <summary>The answer to "plan this candidate": attach it, fail the sandbox (with the fix), or leave it alone.</summary>
public abstract record PlanOutcome
{
    private PlanOutcome()
    {
    }

    /// <summary>Attach as described; the host validates every part before it writes anything.</summary>
    public sealed record Attach(AttachmentRequest Request) : PlanOutcome;

    /// <summary>The sandbox cannot start. <see cref="Message"/> names the value and the fix; <see cref="SettingKey"/> the key to change.</summary>
    public sealed record Fail(string Message, string? SettingKey) : PlanOutcome;

    /// <summary>Not this plugin's business after all (another plugin, or nobody, may take it).</summary>
    public sealed record Leave(string Reason) : PlanOutcome;
}
