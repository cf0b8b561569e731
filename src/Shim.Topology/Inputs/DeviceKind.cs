namespace Shim.Topology;

public enum DeviceKind
{
    Vfio,
    VhostUser,
}
