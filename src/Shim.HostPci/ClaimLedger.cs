using System.Text.Json;

namespace Shim.HostPci;

/// <summary>Who holds a group.</summary>
public sealed record GroupClaim(int Group, string SandboxId, int ProcessId, DateTimeOffset ClaimedAt);

/// <summary>Another sandbox already holds the group.</summary>
public sealed class GroupClaimedException : InvalidOperationException
{
    public GroupClaimedException(GroupClaim holder, string requester)
        : base($"IOMMU group {holder.Group} is already claimed by sandbox '{holder.SandboxId}' (pid {holder.ProcessId}, since {holder.ClaimedAt:O}); sandbox '{requester}' cannot take it. Delete that sandbox or run `kataplug restore` if it is gone.")
    {
        Holder = holder;
    }

    public GroupClaim Holder { get; }
}

/// <summary>
/// Cross-process map group → sandbox in <c>&lt;state&gt;/claims.json</c>. Every read-modify-write holds an exclusive
/// lock on <c>claims.lock</c> (.NET takes flock(LOCK_EX) for FileShare.None on Linux, so it excludes other shim
/// processes), acquired with bounded retries. The file is replaced durably, so claims survive restarts.
/// </summary>
public sealed class ClaimLedger
{
    private readonly string claimsPath;
    private readonly string lockPath;
    private readonly TimeSpan lockTimeout;

    public ClaimLedger(string stateDirectory, TimeSpan? lockTimeout = null)
    {
        var dir = Path.GetFullPath(stateDirectory);
        claimsPath = Path.Combine(dir, "claims.json");
        lockPath = Path.Combine(dir, "claims.lock");
        this.lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10);
    }

    public async Task<GroupClaim> ClaimAsync(int group, string sandboxId, CancellationToken cancellationToken)
    {
        SandboxId.Require(sandboxId);
        SysfsName.RequireGroup(group);
        GroupClaim? result = null;
        await UpdateAsync(claims =>
        {
            if (claims.TryGetValue(group, out var existing))
            {
                if (existing.SandboxId != sandboxId) throw new GroupClaimedException(existing, sandboxId);
                result = existing;
                return false;
            }
            claims[group] = result = new GroupClaim(group, sandboxId, Environment.ProcessId, DateTimeOffset.UtcNow);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Releases the group if <paramref name="sandboxId"/> holds it (null = whoever holds it).</summary>
    public async Task<bool> ReleaseAsync(int group, string? sandboxId, CancellationToken cancellationToken)
    {
        bool released = false;
        await UpdateAsync(claims =>
        {
            if (claims.TryGetValue(group, out var c) && (sandboxId is null || c.SandboxId == sandboxId))
                released = claims.Remove(group);
            return released;
        }, cancellationToken).ConfigureAwait(false);
        return released;
    }

    public async Task<IReadOnlyList<GroupClaim>> ListAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<GroupClaim> list = Array.Empty<GroupClaim>();
        await UpdateAsync(claims => { list = claims.Values.OrderBy(c => c.Group).ToList(); return false; }, cancellationToken).ConfigureAwait(false);
        return list;
    }

    /// <summary>
    /// Read-only view for reports (`kataplug inventory`): no lock, no file created. The file is only ever replaced
    /// by an atomic rename, so an unlocked read sees one complete version.
    /// </summary>
    public IReadOnlyList<GroupClaim> Snapshot() => File.Exists(claimsPath) ? Read().Values.OrderBy(c => c.Group).ToList() : Array.Empty<GroupClaim>();

    /// <summary>Runs a read-modify-write under the lock; the mutation returns true when the file must be rewritten.</summary>
    private async Task UpdateAsync(Func<Dictionary<int, GroupClaim>, bool> mutate, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(claimsPath)!);
        using var held = await BoundedPoll.UntilAsync(TryLock, lockTimeout,
            () => $"could not lock {lockPath}: another process holds it; check for a stuck shim", cancellationToken).ConfigureAwait(false);
        var claims = Read();
        if (mutate(claims))
            DurableFile.WriteAllBytes(claimsPath, JsonSerializer.SerializeToUtf8Bytes(claims.Values.OrderBy(c => c.Group).ToList(), BindingJournal.Json));
    }

    private FileStream? TryLock()
    {
        try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
    }

    private Dictionary<int, GroupClaim> Read()
    {
        if (!File.Exists(claimsPath)) return new();
        try
        {
            var list = JsonSerializer.Deserialize<List<GroupClaim>>(File.ReadAllBytes(claimsPath), BindingJournal.Json) ?? new();
            return list.ToDictionary(c => c.Group);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"claim ledger {claimsPath} is corrupt ({e.Message}); fix or delete it after checking which sandboxes hold VFIO groups", e);
        }
    }
}
