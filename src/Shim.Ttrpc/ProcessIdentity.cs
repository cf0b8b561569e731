using System.Runtime.InteropServices;

namespace Shim.Ttrpc;

/// <summary>This process's effective uid/gid (no managed API exposes them).</summary>
public static partial class ProcessIdentity
{
    public static uint EffectiveUserId => GetEffectiveUserId();

    public static uint EffectiveGroupId => GetEffectiveGroupId();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint GetEffectiveGroupId();
}
