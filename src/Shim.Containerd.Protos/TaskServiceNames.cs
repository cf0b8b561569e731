namespace Shim.Containerd.Protos;

/// <summary>The ttrpc service and method names containerd 1.6 calls on a shim (containerd-shim-v2.md §8.1).</summary>
public static class TaskServiceNames
{
    public const string Service = "containerd.task.v2.Task";

    public const string State = "State";
    public const string Create = "Create";
    public const string Start = "Start";
    public const string Delete = "Delete";
    public const string Pids = "Pids";
    public const string Pause = "Pause";
    public const string Resume = "Resume";
    public const string Checkpoint = "Checkpoint";
    public const string Kill = "Kill";
    public const string Exec = "Exec";
    public const string ResizePty = "ResizePty";
    public const string CloseIO = "CloseIO";
    public const string Update = "Update";
    public const string Wait = "Wait";
    public const string Stats = "Stats";
    public const string Connect = "Connect";
    public const string Shutdown = "Shutdown";

    /// <summary>All 17 methods, in the order of the reference table.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        State, Create, Start, Delete, Pids, Pause, Resume, Checkpoint, Kill,
        Exec, ResizePty, CloseIO, Update, Wait, Stats, Connect, Shutdown,
    ];
}
