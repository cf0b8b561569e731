namespace Shim.Topology;

/// <summary>What kind of problem; stable for tests and for tooling that reads <c>kataplug plan --json</c>.</summary>
public enum ProblemCode
{
    ColdAndHotPlugBothSet,
    PortTypeNeedsMachine,
    PortCountNeedsMachine,
    CountNegative,
    CountAboveLimit,
    RootBusFull,
    IommuNeedsQ35,
    NoVfioPortConfigured,
    ColdPlugDisabled,
    HotPlugDisabled,
    PortsExhausted,
    PortsAboveLimit,
    VhostUserNeedsSharedMemory,
    DuplicateFunction,
    EmptyRequest,
    HostIommuDisabled,
    VfioPciUnavailable,
    GroupNotInspected,
    GroupNotViable,
    GroupMemberNotRequested,
    AlreadyAttached,
}
