namespace Shim.HostPci;

/// <summary>The pre-flight refused the group; nothing was written.</summary>
public sealed class GroupNotAssignableException : InvalidOperationException
{
    public GroupNotAssignableException(GroupViabilityResult result)
        : base($"IOMMU group {result.Group} cannot be assigned: {result.Reason}")
    {
        Result = result;
    }

    public GroupViabilityResult Result { get; }
}

/// <summary>The driver link did not end up naming the expected driver after a probe.</summary>
public sealed class DriverVerificationException : InvalidOperationException
{
    public DriverVerificationException(PciAddress device, string? expected, string? actual, string detail)
        : base($"{device}: expected driver {expected ?? "(none)"}, found {actual ?? "(none)"}: {detail}")
    {
        Device = device;
        Expected = expected;
        Actual = actual;
    }

    public PciAddress Device { get; }
    public string? Expected { get; }
    public string? Actual { get; }
}

/// <summary>
/// Binding a group failed. <see cref="RolledBack"/> says whether every member is back on its original driver
/// (then the claim and journal entry are gone); otherwise the journal keeps the entry for `kataplug restore`.
/// </summary>
public sealed class GroupBindException : InvalidOperationException
{
    public GroupBindException(int group, string sandboxId, bool rolledBack, Exception cause, Exception? rollbackError)
        : base($"binding IOMMU group {group} to vfio-pci for sandbox '{sandboxId}' failed: {cause.Message}; "
            + (rolledBack
                ? "every member was returned to its original driver"
                : $"rollback also failed ({rollbackError?.Message}); the journal keeps the binding: run `kataplug restore`"),
            cause)
    {
        Group = group;
        RolledBack = rolledBack;
        RollbackError = rollbackError;
    }

    public int Group { get; }
    public bool RolledBack { get; }
    public Exception? RollbackError { get; }
}

/// <summary>Restoring one or more members of a group failed; the journal entry and the claim are kept.</summary>
public sealed class GroupRestoreException : AggregateException
{
    public GroupRestoreException(int group, IEnumerable<Exception> errors)
        : base($"restoring IOMMU group {group} to its host drivers failed; the journal keeps it for `kataplug restore`", errors)
    {
        Group = group;
    }

    public int Group { get; }
}
