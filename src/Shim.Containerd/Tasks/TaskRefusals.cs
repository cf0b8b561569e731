namespace Shim.Containerd.Tasks;

/// <summary>Texts of requests the shim refuses on purpose; they reach `ctr` and the kubelet verbatim.</summary>
public static class TaskRefusals
{
    /// <summary>Start: the Kata agent protocol (running the container inside the VM) is not wired in yet.</summary>
    public const string StartRefusal = "containers are not run inside the VM yet";
}
