namespace Shim.Topology;

/// <summary>Who a problem or placement is about: the plugin, the interface (or device name) and the BDF(s).</summary>
/// <param name="Bdf">One BDF, or several joined by ", " when the problem is about a whole request.</param>
public sealed record DeviceRef(string Plugin, string Interface, string Bdf)
{
    /// <summary><c>eth1 (0000:84:01.1)</c>; a vhost-user device has no BDF and shows as its name.</summary>
    public override string ToString() => Bdf.Length == 0 ? Interface : $"{Interface} ({Bdf})";
}
