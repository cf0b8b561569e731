using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Task;
using Shim.Containerd.Tests;
using Shim.Ttrpc;

namespace Shim.Pipeline.Tests;

/// <summary>
/// Task.Update as containerd forwards it (an Any of OCI LinuxResources JSON), sent straight to the task's shim over
/// its ttrpc socket: ctr 1.6 has no <c>task update</c> command, and containerd relays the request to the shim as is.
/// </summary>
public static class ShimTaskUpdate
{
    public const string LinuxResourcesTypeUrl = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    /// <summary>Sets a CPU limit of <paramref name="quota"/>/<paramref name="period"/> on task <paramref name="id"/>.</summary>
    public static async Task CpuLimitAsync(ContainerdFixture containerd, string id, long quota, ulong period, TimeSpan timeout)
    {
        var resources = new JsonObject { ["cpu"] = new JsonObject { ["quota"] = quota, ["period"] = period } };
        var request = new UpdateTaskRequest
        {
            Id = id,
            Resources = new Any { TypeUrl = LinuxResourcesTypeUrl, Value = ByteString.CopyFromUtf8(resources.ToJsonString()) },
        };
        using var deadline = new CancellationTokenSource(timeout);
        await using var shim = await TtrpcClient.ConnectAsync(containerd.ShimSocket(id), deadline.Token);
        await shim.CallAsync(TaskServiceNames.Service, TaskServiceNames.Update, request, Empty.Parser, timeout, deadline.Token);
    }
}
