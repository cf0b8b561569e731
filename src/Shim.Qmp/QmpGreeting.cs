namespace Shim.Qmp;

/// <summary>QEMU's version as announced in the greeting (same data as <c>query-version</c>).</summary>
public sealed record QemuVersion(int Major, int Minor, int Micro, string Package)
{
    public bool IsAtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    public override string ToString() => $"{Major}.{Minor}.{Micro}";
}

/// <summary>The <c>{"QMP": {...}}</c> greeting.</summary>
public sealed record QmpGreeting(QemuVersion Version, IReadOnlyList<string> Capabilities);
