namespace Shim.Containerd.Lifecycle;

/// <summary>The command line is not what containerd sends; the message names the flag.</summary>
public sealed class ShimUsageException(string message) : Exception(message);
