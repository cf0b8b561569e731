using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.Task;

namespace Shim.Ttrpc.Tests;

public sealed class ContainerdAnyTests
{
    [Fact]
    public void Pack_writes_the_bare_full_name_containerd_1_6_needs()
    {
        var any = ContainerdAny.Pack(new TaskOOM { ContainerId = "p10" });

        any.TypeUrl.ShouldBe("containerd.events.TaskOOM");
        TaskOOM.Parser.ParseFrom(any.Value).ContainerId.ShouldBe("p10");
    }

    [Theory]
    [InlineData("containerd.events.TaskStart")]
    [InlineData("type.googleapis.com/containerd.events.TaskStart")]
    public void Unpack_accepts_bare_and_prefixed_urls(string url)
    {
        var any = new Any { TypeUrl = url, Value = new TaskStart { ContainerId = "p10", Pid = 7 }.ToByteString() };

        ContainerdAny.TryUnpack(any, TaskStart.Parser, out var start).ShouldBeTrue();
        start.Pid.ShouldBe(7u);
    }

    [Fact]
    public void Unpack_of_another_type_names_both_types()
    {
        var any = ContainerdAny.Pack(new TaskStart());

        ContainerdAny.TryUnpack<TaskExit>(any, TaskExit.Parser, out _).ShouldBeFalse();
        var ex = Should.Throw<ArgumentException>(() => ContainerdAny.Unpack(any, TaskExit.Parser));
        ex.Message.ShouldContain("containerd.events.TaskStart");
        ex.Message.ShouldContain("containerd.events.TaskExit");
    }

    [Fact]
    public void Task_service_lists_its_17_methods_and_each_has_messages()
    {
        TaskServiceNames.All.Count.ShouldBe(17);
        TaskServiceNames.All.Distinct().Count().ShouldBe(17);
        var service = ShimReflection.Descriptor.Services.Single();
        service.FullName.ShouldBe(TaskServiceNames.Service);
        service.Methods.Select(m => m.Name).Order().ShouldBe(TaskServiceNames.All.Order());
    }

    [Fact]
    public void State_response_status_enum_matches_containerd()
    {
        var state = new StateResponse { Status = Shim.Containerd.Protos.Types.Status.Stopped, ExitStatus = 7 };

        Hex.Format(state.ToByteArray()).ShouldBe("2003" + "4807");
    }
}
