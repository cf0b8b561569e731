namespace Kataplug.Plugins.Vfio;

/// <summary>A VFIO node a container asked for: <c>/dev/vfio/&lt;group&gt;</c> or <c>/dev/vfio/devices/vfioN</c>, and who asked.</summary>
internal sealed record VfioDeviceRequest(string HostPath, string Source)
{
    private const string GroupPrefix = "/dev/vfio/";
    private const string CdevPrefix = "/dev/vfio/devices/";

    /// <summary>The group number of a legacy group node, or null.</summary>
    public int? Group =>
        HostPath.StartsWith(GroupPrefix, StringComparison.Ordinal) &&
        int.TryParse(HostPath.AsSpan(GroupPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var g)
            ? g
            : null;

    /// <summary>The cdev name (<c>vfio3</c>) of an IOMMUFD node, or null.</summary>
    public string? Cdev =>
        HostPath.StartsWith(CdevPrefix, StringComparison.Ordinal) && HostPath.Length > CdevPrefix.Length && !HostPath.AsSpan(CdevPrefix.Length).Contains('/')
            ? HostPath[CdevPrefix.Length..]
            : null;

    public static bool IsVfioNode(string path) =>
        path.StartsWith(GroupPrefix, StringComparison.Ordinal) && path != "/dev/vfio/vfio";
}
