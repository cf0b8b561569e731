namespace Shim.HostPci;

/// <summary>
/// The write-ahead discipline for one group: before a sysfs write the step is saved as Intent, after it as Done
/// or Failed. Holds the current <see cref="BindingRecord"/>; a null journal means dry-run (nothing is written).
/// </summary>
internal sealed class BindingSession
{
    private readonly BindingJournal? journal;

    public BindingSession(BindingJournal? journal, BindingRecord record)
    {
        this.journal = journal;
        Record = record;
    }

    public BindingRecord Record { get; private set; }

    public bool DryRun => journal is null;

    public void SetState(BindingState state)
    {
        Record = Record with { State = state, UpdatedAt = DateTimeOffset.UtcNow };
        journal?.Save(Record);
    }

    public void Step(string bdf, BindingStep step, Action write)
    {
        Update(bdf, step, StepPhase.Intent, null);
        try
        {
            write();
        }
        catch (Exception e)
        {
            Update(bdf, step, StepPhase.Failed, e.Message);
            throw;
        }
        Update(bdf, step, StepPhase.Done, null);
    }

    private void Update(string bdf, BindingStep step, StepPhase phase, string? error)
    {
        var member = Record.Members.First(m => m.Bdf == bdf);
        Record = Record.WithMember(member with { Step = step, Phase = phase, Error = error });
        journal?.Save(Record);
    }
}
