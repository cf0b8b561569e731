using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.TestAgent;

// CreateSandbox: one sandbox per agent, its kataShared storage mapped to the --shared-root host directory.
public sealed partial class TestAgentService
{
    /// <summary>The kataShared storage of the current sandbox mapped to its host directory (<c>--shared-root</c>); null = none.</summary>
    public SandboxShare? Share { get; private set; }

    private void CreateSandbox(CreateSandboxRequest request)
    {
        foreach (var storage in request.Storages)
        {
            ValidateStorage(storage);
        }
        var share = SandboxShare.From(request.Storages, sharedRootTemplate, request.SandboxId);
        lock (sandboxGate)
        {
            // One sandbox per agent (kata-agent-protocol.md §2.3).
            if (sandbox is not null && replaceAbandonedSandbox && sandbox.SandboxId != request.SandboxId)
            {
                foreach (var id in containers.Keys)
                {
                    if (containers.TryRemove(id, out var abandoned)) _ = abandoned.DisposeAsync().AsTask();
                }
                sandbox = null;
            }
            if (sandbox is not null)
            {
                throw new TtrpcException(StatusCode.Internal,
                    $"sandbox '{sandbox.SandboxId}' already created; CreateSandbox is sent once per agent (got it again for '{request.SandboxId}')");
            }
            sandbox = request;
            Share = share;
        }
        record.Add(request);
    }
}
