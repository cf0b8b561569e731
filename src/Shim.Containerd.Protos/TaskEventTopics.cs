namespace Shim.Containerd.Protos;

/// <summary>Envelope topics of the containerd.events task messages (containerd-shim-v2.md §11.3).</summary>
public static class TaskEventTopics
{
    public const string Create = "/tasks/create";
    public const string Start = "/tasks/start";
    public const string Exit = "/tasks/exit";
    public const string Delete = "/tasks/delete";
    public const string ExecAdded = "/tasks/exec-added";
    public const string ExecStarted = "/tasks/exec-started";
    public const string Paused = "/tasks/paused";
    public const string Resumed = "/tasks/resumed";
    public const string Checkpointed = "/tasks/checkpointed";
    public const string Oom = "/tasks/oom";
}
