using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;

namespace Shim.Guest.Tests;

public class ExecProcessSpecTests
{
    private static Any ProcessAny(string json, string typeUrl = ExecProcessSpec.TypeUrl) =>
        new() { TypeUrl = typeUrl, Value = ByteString.CopyFromUtf8(json) };

    [Fact]
    public void Ctr_exec_process_json_becomes_the_agent_process()
    {
        // What `ctr task exec -t --exec-id e1 c1 /bin/sh` sends: the container's process with args replaced.
        var any = ProcessAny("""
            {"terminal": true, "consoleSize": {"height": 24, "width": 80},
             "user": {"uid": 0, "gid": 0, "additionalGids": [0, 10]},
             "args": ["/bin/sh"], "env": ["PATH=/usr/bin:/bin", "TERM=xterm"], "cwd": "/",
             "capabilities": {"bounding": ["CAP_KILL"]}, "noNewPrivileges": true}
            """);

        var process = ExecProcessSpec.FromAny(any);

        process.Terminal.ShouldBeTrue();
        process.ConsoleSize.ShouldBe(new Box { Height = 24, Width = 80 });
        process.User.AdditionalGids.ShouldBe([0u, 10u]);
        process.Args.ShouldBe(["/bin/sh"]);
        process.Env.ShouldBe(["PATH=/usr/bin:/bin", "TERM=xterm"]);
        process.Cwd.ShouldBe("/");
        process.Capabilities.Bounding.ShouldBe(["CAP_KILL"]);
        process.NoNewPrivileges.ShouldBeTrue();
    }

    [Fact]
    public void Another_type_url_is_refused_naming_both()
    {
        var ex = Should.Throw<ArgumentException>(() => ExecProcessSpec.FromAny(ProcessAny("{}", "types.containerd.io/opencontainers/runtime-spec/1/Spec")));

        ex.Message.ShouldContain("runtime-spec/1/Spec'");
        ex.Message.ShouldContain(ExecProcessSpec.TypeUrl);
    }

    [Fact]
    public void A_bad_field_is_named()
    {
        var ex = Should.Throw<InvalidDataException>(() => ExecProcessSpec.FromAny(ProcessAny("""{"user": {"additionalGids": ["wheel"]}}""")));

        ex.Message.ShouldContain("exec process spec");
        ex.Message.ShouldContain("user.additionalGids[0]");
    }

    [Fact]
    public void Malformed_json_names_the_exec_spec()
    {
        var ex = Should.Throw<InvalidDataException>(() => ExecProcessSpec.FromAny(ProcessAny("""{"args": [""")));

        ex.Message.ShouldStartWith("exec process spec: not valid JSON near field 'args'");
    }
}
