using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Shim.Agent;
using Shim.Agent.Protocol;
using Shim.Ttrpc;

namespace Shim.TestAgent;

/// <summary>
/// The agent side of the protocol subset, with the kata-agent's status codes (kata-agent-protocol.md §1.5):
/// 3 for an unknown container in process RPCs, 5 for an unknown or reaped process, 13 for create failures.
/// </summary>
/// <param name="replaceAbandonedSandbox">A CreateSandbox for another sandbox id ends the current one first: its host
/// side is gone (a killed shim whose VM would have died with QEMU), and this "guest" outlives QEMU.</param>
public sealed partial class TestAgentService(AgentRecord record, Action onDestroy, int linkNotFoundAttempts = 0, string? sharedRootTemplate = null, bool replaceAbandonedSandbox = false) : IAsyncDisposable
{
    private int linkNotFoundLeft = linkNotFoundAttempts;
    private readonly Lock sandboxGate = new();
    private CreateSandboxRequest? sandbox;
    private readonly TaskCompletionSource sandboxDestroyed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly ConcurrentDictionary<string, TestContainer> containers = new();

    public const string AgentVersion = "0.0.0-kataplug-test-agent";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]+$")]
    private static partial Regex ContainerIdPattern();

    public void Register(TtrpcServer server)
    {
        server.Register(AgentServiceNames.Health, AgentServiceNames.Check, CheckRequest.Parser,
            (_, _) => Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving }));
        server.Register(AgentServiceNames.Health, AgentServiceNames.Version, CheckRequest.Parser,
            (_, _) => Task.FromResult(new VersionCheckResponse { GrpcVersion = "0.0.1", AgentVersion = AgentVersion }));

        const string s = AgentServiceNames.Agent;
        server.Register(s, AgentServiceNames.CreateSandbox, CreateSandboxRequest.Parser, (r, _) => Done(() => CreateSandbox(r)));
        server.Register(s, AgentServiceNames.DestroySandbox, DestroySandboxRequest.Parser, DestroySandboxAsync);
        server.Register(s, AgentServiceNames.CreateContainer, CreateContainerRequest.Parser, (r, _) => Done(() => CreateContainer(r)));
        server.Register(s, AgentServiceNames.StartContainer, StartContainerRequest.Parser, (r, _) => Done(() => Container(r.ContainerId, StatusCode.Internal).Start()));
        server.Register(s, AgentServiceNames.RemoveContainer, RemoveContainerRequest.Parser, RemoveContainerAsync);
        server.Register(s, AgentServiceNames.ExecProcess, ExecProcessRequest.Parser, (r, _) => Done(() => Exec(r)));
        server.Register(s, AgentServiceNames.SignalProcess, SignalProcessRequest.Parser, (r, _) => Done(() => Signal(r)));
        server.Register(s, AgentServiceNames.WaitProcess, WaitProcessRequest.Parser, WaitProcessAsync);
        server.Register(s, AgentServiceNames.ReadStdout, ReadStreamRequest.Parser, (r, c) => ReadAsync(r, stderr: false, c));
        server.Register(s, AgentServiceNames.ReadStderr, ReadStreamRequest.Parser, (r, c) => ReadAsync(r, stderr: true, c));
        server.Register(s, AgentServiceNames.WriteStdin, WriteStreamRequest.Parser, WriteStdinAsync);
        server.Register(s, AgentServiceNames.CloseStdin, CloseStdinRequest.Parser, async (r, c) =>
        {
            await Process(r.ContainerId, r.ExecId).CloseStdinAsync(c.CancellationToken);
            return new Empty();
        });
        server.Register(s, AgentServiceNames.TtyWinResize, TtyWinResizeRequest.Parser, (r, _) =>
            Done(() => Process(r.ContainerId, r.ExecId).Resize(r.Row, r.Column)));
        server.Register(s, AgentServiceNames.UpdateContainer, UpdateContainerRequest.Parser, (r, _) => Done(() => UpdateContainer(r)));
        server.Register(s, AgentServiceNames.StatsContainer, StatsContainerRequest.Parser, (r, _) => Task.FromResult(Stats(r)));
        server.Register(s, AgentServiceNames.UpdateInterface, UpdateInterfaceRequest.Parser, (r, _) =>
        {
            var nic = r.Interface ?? throw new TtrpcException(StatusCode.InvalidArgument, "interface is required");
            if (Interlocked.Decrement(ref linkNotFoundLeft) >= 0)
            {
                throw new TtrpcException(StatusCode.Internal, $"Failed to update interface: {AgentClient.LinkNotFound} (hwaddr {nic.HwAddr})");
            }
            record.Add(nic);
            return Task.FromResult(nic);
        });
        server.Register(s, AgentServiceNames.UpdateRoutes, UpdateRoutesRequest.Parser, (r, _) =>
        {
            var routes = r.Routes ?? throw new TtrpcException(StatusCode.InvalidArgument, "routes is required");
            var reply = new Routes();
            reply.Routes_.AddRange(record.AddRoutes(routes.Routes_));
            return Task.FromResult(reply);
        });
        server.Register(s, AgentServiceNames.AddARPNeighbors, AddARPNeighborsRequest.Parser, (r, _) =>
        {
            var neighbors = r.Neighbors ?? throw new TtrpcException(StatusCode.InvalidArgument, "neighbors is required");
            return Done(() => record.AddNeighbors(neighbors.ARPNeighbors_));
        });
        server.Register(s, AgentServiceNames.UpdateEphemeralMounts, UpdateEphemeralMountsRequest.Parser, (r, _) => Done(() =>
        {
            foreach (var storage in r.Storages)
            {
                ValidateStorage(storage);
            }
        }));
        server.Register(s, AgentServiceNames.RemoveStaleVirtiofsShareMounts, RemoveStaleVirtiofsShareMountsRequest.Parser, (_, _) => Task.FromResult(new Empty()));
        server.Register(s, AgentServiceNames.GetOOMEvent, GetOOMEventRequest.Parser, GetOomEventAsync);
        server.Register(s, AgentServiceNames.ListInterfaces, ListInterfacesRequest.Parser, (_, _) =>
        {
            var reply = new Interfaces();
            reply.Interfaces_.AddRange(record.Interfaces.Select(i => new Interface { Name = i.Name, HwAddr = i.HwAddr, Mtu = i.Mtu, IPAddresses = { i.IPAddresses } }));
            return Task.FromResult(reply);
        });
        server.Register(s, AgentServiceNames.ListRoutes, ListRoutesRequest.Parser, (_, _) => Task.FromResult(new Routes { Routes_ = { record.Routes } }));
        server.Register(s, AgentServiceNames.GetGuestDetails, GuestDetailsRequest.Parser, (r, _) => Task.FromResult(GuestDetails(r)));
        server.Register(s, AgentServiceNames.OnlineCPUMem, OnlineCPUMemRequest.Parser, (r, _) => Done(() => record.Add(r)));
    }

    /// <summary>What a stock x86 guest reports: 128 MiB memory blocks, no probe file, the agent's storage drivers.</summary>
    private static GuestDetailsResponse GuestDetails(GuestDetailsRequest request)
    {
        var details = new AgentDetails { Version = AgentVersion, InitDaemon = true, SupportsSeccomp = true };
        details.StorageHandlers.AddRange(["virtio-fs", "blk", "mmioblk", "scsi", "nvdimm", "ephemeral", "local", "overlayfs", "watchable-bind", "image_guest_pull"]);
        return new GuestDetailsResponse
        {
            MemBlockSizeBytes = request.MemBlockSize ? 128UL << 20 : 0,
            SupportMemHotplugProbe = false,
            AgentDetails = details,
        };
    }

    /// <summary>No cgroup OOM watcher here: the poll waits until the call, connection or sandbox ends (then 13, as the agent's closed channel).</summary>
    private async Task<OOMEvent> GetOomEventAsync(GetOOMEventRequest request, TtrpcCallContext context)
    {
        await sandboxDestroyed.Task.WaitAsync(context.CancellationToken);
        throw new TtrpcException(StatusCode.Internal, "OOM event channel closed: sandbox destroyed");
    }

    private static Task<Empty> Done(Action action)
    {
        action();
        return Task.FromResult(new Empty());
    }

    private void CreateContainer(CreateContainerRequest request)
    {
        if (!ContainerIdPattern().IsMatch(request.ContainerId))
        {
            throw new TtrpcException(StatusCode.Internal, $"invalid container ID: '{request.ContainerId}'");
        }
        var spec = request.OCI ?? throw new TtrpcException(StatusCode.Internal, "EINVAL: CreateContainerRequest.OCI is required");
        if (spec.Linux is null)
        {
            throw new TtrpcException(StatusCode.Internal, "Spec does not contain linux field");
        }
        var process = ValidProcess(spec.Process, request.ContainerId);
        foreach (var device in request.Devices)
        {
            ValidateDevice(device, spec);
        }
        foreach (var storage in request.Storages)
        {
            ValidateStorage(storage);
        }
        var guestRoot = spec.Root?.Path is { Length: > 0 } r ? r : "/";
        var hostRoot = Share?.ToHost(guestRoot) ?? guestRoot;
        if (!Directory.Exists(hostRoot))
        {
            // The agent's bind mount of Root.Path fails the same way.
            throw new TtrpcException(StatusCode.Internal,
                $"rootfs '{guestRoot}' of {request.ContainerId} does not exist{(hostRoot == guestRoot ? "" : $" (host directory '{hostRoot}')")}; share the rootfs before CreateContainer");
        }
        var container = new TestContainer(request.ContainerId, hostRoot, process);
        if (spec.Linux.Resources is not null)
        {
            container.Resources.MergeFrom(spec.Linux.Resources);
        }
        if (!containers.TryAdd(request.ContainerId, container))
        {
            _ = container.DisposeAsync().AsTask(); // never started: only frees its pty
            throw new TtrpcException(StatusCode.Internal, $"container {request.ContainerId} already exists");
        }
        record.Add(request);
    }

    private static readonly HashSet<string> DeviceHandlers =
        ["blk", "mmioblk", "scsi", "nvdimm", "vfio-pci", "vfio-pci-gk", "vfio-ap", "vfio-ap-cold", "blk-ccw"];

    private static readonly HashSet<string> StorageHandlers =
        ["virtio-fs", "blk", "mmioblk", "scsi", "nvdimm", "ephemeral", "local", "overlayfs", "watchable-bind", "image_guest_pull", "erofs.multi-layer", "blk-ccw"];

    [GeneratedRegex("^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]=")]
    private static partial Regex VfioOption();

    /// <summary>The checks the agent makes before touching a device (kata-agent-protocol.md §2.8, §3.4), with its texts.</summary>
    private static void ValidateDevice(Device device, Spec spec)
    {
        if (!DeviceHandlers.Contains(device.Type))
        {
            throw new TtrpcException(StatusCode.Internal, $"Failed to find the device handler '{device.Type}'");
        }
        if (device.ContainerPath.Length == 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"invalid container path for device {device.Id}");
        }
        if (device.Type is "blk" or "scsi" or "mmioblk" or "nvdimm" or "vfio-pci"
            && !spec.Linux.Devices.Any(d => d.Path == device.ContainerPath))
        {
            throw new TtrpcException(StatusCode.Internal, $"Missing devices in OCI spec: {device.ContainerPath}");
        }
        if (device.Type is "vfio-pci" or "vfio-pci-gk" && device.Options.FirstOrDefault(o => !VfioOption().IsMatch(o)) is { } bad)
        {
            throw new TtrpcException(StatusCode.Internal, $"invalid VFIO option '{bad}': expected DDDD:BB:DD.F=<guest PCI path>");
        }
    }

    private static void ValidateStorage(Storage storage)
    {
        if (!StorageHandlers.Contains(storage.Driver))
        {
            throw new TtrpcException(StatusCode.Internal, $"Failed to find the storage handler {storage.Driver}");
        }
    }

    private static Agent.Protocol.Process ValidProcess(Agent.Protocol.Process? process, string id)
    {
        if (process is null || process.Args.Count == 0)
        {
            throw new TtrpcException(StatusCode.Internal, $"process of {id} has no args");
        }
        if (process.Env.FirstOrDefault(e => !e.Contains('=', StringComparison.Ordinal)) is { } bad)
        {
            throw new TtrpcException(StatusCode.Internal, $"Malformed OCI env entry '{bad}'");
        }
        return process;
    }

    private void Exec(ExecProcessRequest request)
    {
        var container = Container(request.ContainerId, StatusCode.Internal);
        container.Exec(request.ExecId, ValidProcess(request.Process, request.ExecId));
    }

    private void Signal(SignalProcessRequest request)
    {
        var container = Container(request.ContainerId, StatusCode.InvalidArgument);
        if (request.ExecId.Length == 0 && request.Signal == 9)
        {
            // Every process of the container, as the agent does with its cgroup freeze + kill.
            foreach (var process in container.Processes)
            {
                process.Signal(9);
            }
            return;
        }
        Process(request.ContainerId, request.ExecId).Signal((int)request.Signal);
    }

    private async Task<WaitProcessResponse> WaitProcessAsync(WaitProcessRequest request, TtrpcCallContext context)
    {
        var container = Container(request.ContainerId, StatusCode.InvalidArgument);
        var process = Process(request.ContainerId, request.ExecId);
        var status = await process.WaitAsync(context.CancellationToken);
        // The agent forgets a reaped process: later Read*/Wait for it answer 5.
        container.Forget(process.ExecId);
        return new WaitProcessResponse { Status = status };
    }

    private async Task<ReadStreamResponse> ReadAsync(ReadStreamRequest request, bool stderr, TtrpcCallContext context)
    {
        if (request.Len == 0)
        {
            throw new TtrpcException(StatusCode.InvalidArgument, "len must be > 0");
        }
        var data = await Process(request.ContainerId, request.ExecId)
            .ReadAsync(stderr, (int)Math.Min(request.Len, 1u << 20), context.CancellationToken);
        return new ReadStreamResponse { Data = Google.Protobuf.ByteString.CopyFrom(data) };
    }

    private async Task<WriteStreamResponse> WriteStdinAsync(WriteStreamRequest request, TtrpcCallContext context)
    {
        var written = await Process(request.ContainerId, request.ExecId, StatusCode.Internal).WriteAsync(request.Data.Memory, context.CancellationToken);
        return new WriteStreamResponse { Len = (uint)written };
    }

    private async Task<Empty> RemoveContainerAsync(RemoveContainerRequest request, TtrpcCallContext context)
    {
        if (containers.TryRemove(request.ContainerId, out var container))
        {
            await container.DisposeAsync();
        }
        else
        {
            throw new TtrpcException(StatusCode.Internal, $"container {request.ContainerId} not found");
        }
        return new Empty();
    }

    private async Task<Empty> DestroySandboxAsync(DestroySandboxRequest request, TtrpcCallContext context)
    {
        await DisposeAsync();
        record.AddDestroy();
        sandboxDestroyed.TrySetResult();
        // Like the agent: reply, then shut the server down (the host sees the connection drop).
        onDestroy();
        return new Empty();
    }

    private TestContainer Container(string id, StatusCode missing) =>
        containers.TryGetValue(id, out var c) ? c : throw new TtrpcException(missing, $"container {id} not found");

    private GuestProcess Process(string containerId, string execId, StatusCode missingContainer = StatusCode.InvalidArgument)
    {
        var container = Container(containerId, missingContainer);
        return container.Find(execId.Length == 0 ? containerId : execId)
               ?? throw new TtrpcException(StatusCode.NotFound, $"process {execId} of container {containerId} not found (exited and reaped?)");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in containers.Keys)
        {
            if (containers.TryRemove(id, out var container))
            {
                await container.DisposeAsync();
            }
        }
    }
}
