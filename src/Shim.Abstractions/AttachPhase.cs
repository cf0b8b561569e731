namespace Shim.Abstractions;

/// <summary>When the plan is made: before the VM starts, or for a running VM (hot plug only).</summary>
public enum AttachPhase
{
    Boot,
    Running,
}
