using System.Text.Json.Nodes;
using Google.Protobuf;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;

namespace Shim.Guest.Tests;

public class AgentContainerSpecTests
{
    private const string Rootfs = "/run/kata-containers/shared/containers/c1/rootfs";

    private static AgentContainerSpec Convert(string json, bool removeVfio = false) =>
        AgentContainerSpec.FromOciJson(json, OciSpecs.ConfigPath, "c1", Rootfs, removeVfio, OciSpecs.CountingHex());

    [Fact]
    public void Ctr_default_spec_becomes_the_minimal_spec_the_agent_accepts()
    {
        var result = Convert(OciSpecs.CtrDefault);
        var spec = result.Spec;

        spec.Version.ShouldBe("1.0.2-dev");
        spec.Root.Path.ShouldBe(Rootfs);
        spec.Root.Readonly.ShouldBeFalse();
        spec.Process.User.UID.ShouldBe(0u);
        spec.Process.Cwd.ShouldBe("/");
        spec.Process.NoNewPrivileges.ShouldBeTrue();
        spec.Process.Capabilities.Bounding.ShouldContain("CAP_AUDIT_WRITE");
        spec.Process.Capabilities.Bounding.Count.ShouldBe(14);
        spec.Process.Capabilities.Effective.Count.ShouldBe(14);
        spec.Process.Capabilities.Permitted.Count.ShouldBe(14);
        spec.Process.Capabilities.Inheritable.ShouldBeEmpty();
        spec.Process.Rlimits.Single().ShouldBe(new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 });
        spec.Mounts.Select(m => m.Destination).ShouldBe(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/run"]);
        spec.Mounts.Single(m => m.Destination == "/dev/shm").Type.ShouldBe("tmpfs"); // not a bind: unchanged
        spec.Linux.CgroupsPath.ShouldBe("/default");
        spec.Linux.Namespaces.Select(n => n.Type).ShouldBe(["mount", "ipc", "uts"]);
        spec.Linux.Namespaces.ShouldAllBe(n => n.Path == "");
        spec.Linux.MaskedPaths.Count.ShouldBe(10);
        spec.Linux.ReadonlyPaths.ShouldBe(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]);
        spec.Linux.Resources.ShouldBe(new LinuxResources()); // only a devices rule: Kata nils it
        result.SharedBinds.ShouldBeEmpty();
        result.SandboxPidns.ShouldBeFalse();
    }

    [Fact]
    public void Process_fields_are_carried()
    {
        var json = OciSpecs.Edited(r =>
        {
            var p = r["process"]!.AsObject();
            p["terminal"] = true;
            p["consoleSize"] = new JsonObject { ["height"] = 40, ["width"] = 120 };
            p["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 100, ["additionalGids"] = new JsonArray(10, 20), ["umask"] = 18 };
            p["args"] = new JsonArray("/bin/sh", "-c", "echo hi");
            p["env"] = new JsonArray("PATH=/usr/bin:/bin", "EMPTY=");
            p["cwd"] = "/work";
            p["oomScoreAdj"] = -500;
            p["capabilities"]!["ambient"] = new JsonArray("CAP_NET_RAW");
            p["capabilities"]!["inheritable"] = new JsonArray("CAP_KILL");
        });

        var process = Convert(json).Spec.Process;

        process.Terminal.ShouldBeTrue();
        process.ConsoleSize.ShouldBe(new Box { Height = 40, Width = 120 });
        process.User.UID.ShouldBe(1000u);
        process.User.GID.ShouldBe(100u);
        process.User.AdditionalGids.ShouldBe([10u, 20u]);
        process.Args.ShouldBe(["/bin/sh", "-c", "echo hi"]);
        process.Env.ShouldBe(["PATH=/usr/bin:/bin", "EMPTY="]);
        process.Cwd.ShouldBe("/work");
        process.OOMScoreAdj.ShouldBe(-500);
        process.Capabilities.Ambient.ShouldBe(["CAP_NET_RAW"]);
        process.Capabilities.Inheritable.ShouldBe(["CAP_KILL"]);
    }

    [Fact]
    public void Root_hostname_annotations_are_carried_and_root_path_is_the_guest_path()
    {
        var json = OciSpecs.Edited(r =>
        {
            r["root"] = new JsonObject { ["path"] = "/host/bundle/rootfs", ["readonly"] = true };
            r["hostname"] = "pod-a";
            r["annotations"] = new JsonObject { ["io.kubernetes.cri.container-name"] = "app", ["x"] = "" };
        });

        var spec = Convert(json).Spec;

        spec.Root.ShouldBe(new Root { Path = Rootfs, Readonly = true });
        spec.Hostname.ShouldBe("pod-a");
        spec.Annotations.ShouldBe(new Dictionary<string, string> { ["io.kubernetes.cri.container-name"] = "app", ["x"] = "" }, ignoreOrder: true);
    }

    [Fact]
    public void Other_binds_are_shared_with_their_source_rewritten_to_the_guest_share()
    {
        var json = OciSpecs.Edited(r =>
        {
            var mounts = r["mounts"]!.AsArray();
            mounts.Add(OciSpecs.Bind("/var/lib/kubelet/pods/p/etc-hosts", "/etc/hosts", "rbind", "rprivate", "rw"));
            mounts.Add(OciSpecs.Bind("/srv/data", "/data/", "rbind", "ro"));
        });

        var result = Convert(json);

        result.SharedBinds.ShouldBe([
            new SharedBind("/var/lib/kubelet/pods/p/etc-hosts", "c1-0000000000000001-hosts", false),
            new SharedBind("/srv/data", "c1-0000000000000002-data", true),
        ]);
        result.SharedBinds[1].GuestPath.ShouldBe("/run/kata-containers/shared/containers/c1-0000000000000002-data");
        var hosts = result.Spec.Mounts.Single(m => m.Destination == "/etc/hosts");
        hosts.Source.ShouldBe("/run/kata-containers/shared/containers/c1-0000000000000001-hosts");
        hosts.Type.ShouldBe("bind");
        hosts.Options.ShouldBe(["rbind", "rprivate", "rw"]);
        result.Spec.Mounts.Single(m => m.Destination == "/data/").Options.ShouldBe(["rbind", "ro"]);
    }

    [Fact]
    public void A_mount_with_bind_in_its_options_is_a_bind_whatever_its_type()
    {
        var json = OciSpecs.Edited(r =>
        {
            var m = OciSpecs.Bind("/srv/conf", "/conf", "rbind");
            m["type"] = "none";
            r["mounts"]!.AsArray().Add(m);
        });

        var result = Convert(json);

        result.SharedBinds.Single().HostSource.ShouldBe("/srv/conf");
        result.Spec.Mounts.Single(m => m.Destination == "/conf").Source.ShouldStartWith("/run/kata-containers/shared/containers/c1-");
    }

    [Theory]
    [InlineData("/proc/sys/kernel", "/host-kernel")]
    [InlineData("/sys/fs/cgroup", "/sys/fs/cgroup")]
    [InlineData("/dev/null", "/dev/null-copy")]
    [InlineData("/dev", "/hostdev")]
    public void Binds_of_proc_sys_and_dev_pass_through_unshared(string source, string destination)
    {
        var json = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(OciSpecs.Bind(source, destination, "rbind")));

        var result = Convert(json);

        result.SharedBinds.ShouldBeEmpty();
        var mount = result.Spec.Mounts.Single(m => m.Destination == destination);
        mount.Source.ShouldBe(source);
        mount.Type.ShouldBe("bind");
    }

    [Fact]
    public void A_source_that_only_starts_with_a_system_root_is_shared()
    {
        var json = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(OciSpecs.Bind("/devices/x", "/x", "rbind")));

        Convert(json).SharedBinds.Single().HostSource.ShouldBe("/devices/x");
    }

    [Theory]
    [InlineData("relative/dir", "field 'mounts[7].source' must be an absolute host path for a bind mount, found string \"relative/dir\"")]
    [InlineData("", "field 'mounts[7].source' must be an absolute host path for a bind mount, found string \"\"")]
    public void A_bind_to_share_needs_an_absolute_source(string source, string message)
    {
        var json = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(OciSpecs.Bind(source, "/x", "rbind")));

        Should.Throw<InvalidDataException>(() => Convert(json)).Message.ShouldContain(message);
    }

    [Fact]
    public void A_bind_without_a_source_is_named()
    {
        var json = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/x", ["type"] = "bind" }));

        Should.Throw<InvalidDataException>(() => Convert(json)).Message.ShouldContain("field 'mounts[7]' must be a bind mount with a 'source'");
    }

    [Fact]
    public void A_dev_shm_bind_becomes_a_private_64MiB_tmpfs()
    {
        var json = OciSpecs.Edited(r =>
        {
            var mounts = r["mounts"]!.AsArray();
            var shm = mounts.Single(m => (string?)m!["destination"] == "/dev/shm")!;
            mounts.Remove(shm);
            mounts.Add(OciSpecs.Bind("/run/containerd/io.containerd.grpc.v1.cri/sandboxes/s/shm", "/dev/shm", "rbind", "ro"));
        });

        var result = Convert(json);

        result.SharedBinds.ShouldBeEmpty();
        var mount = result.Spec.Mounts.Single(m => m.Destination == "/dev/shm");
        mount.Type.ShouldBe("tmpfs");
        mount.Source.ShouldBe("shm");
        mount.Options.ShouldBe(["noexec", "nosuid", "nodev", "mode=1777", "size=67108864"]);
    }

    [Fact]
    public void Default_share_names_use_fresh_random_hex()
    {
        var json = OciSpecs.Edited(r =>
        {
            r["mounts"]!.AsArray().Add(OciSpecs.Bind("/a", "/a", "rbind"));
            r["mounts"]!.AsArray().Add(OciSpecs.Bind("/b", "/a", "rbind"));
        });

        var binds = AgentContainerSpec.FromOciJson(json, OciSpecs.ConfigPath, "c1", Rootfs).SharedBinds;

        binds.Count.ShouldBe(2);
        binds.ShouldAllBe(b => System.Text.RegularExpressions.Regex.IsMatch(b.GuestShareName, "^c1-[0-9a-f]{16}-a$"));
        binds[0].GuestShareName.ShouldNotBe(binds[1].GuestShareName);
    }

    [Theory]
    [InlineData("00000000000000")]
    [InlineData("000000000000000G")]
    [InlineData("00000000000000AB")]
    [InlineData("../../etc/passwd")]
    public void A_bad_random_source_is_refused(string hex)
    {
        var json = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(OciSpecs.Bind("/a", "/a", "rbind")));

        var ex = Should.Throw<InvalidOperationException>(() =>
            AgentContainerSpec.FromOciJson(json, OciSpecs.ConfigPath, "c1", Rootfs, randomHex: () => hex));

        ex.Message.ShouldContain(hex);
        ex.Message.ShouldContain("16 lower-case hex digits");
    }

    [Fact]
    public void Resources_keep_memory_and_cpu_without_cpuset_and_pids()
    {
        var json = OciSpecs.Edited(r => r["linux"]!["resources"] = JsonNode.Parse("""
            {
              "devices": [{"allow": false, "access": "rwm"}],
              "memory": {"limit": 268435456, "reservation": 1, "swap": -1, "kernel": 2, "kernelTCP": 3, "swappiness": 60, "disableOOMKiller": true},
              "cpu": {"shares": 512, "quota": 150000, "period": 100000, "realtimeRuntime": 4, "realtimePeriod": 5, "cpus": "0-3", "mems": "0"},
              "pids": {"limit": 100},
              "hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
              "unified": {"memory.high": "1"}
            }
            """));

        var resources = Convert(json).Spec.Linux.Resources;

        resources.Memory.ShouldBe(new LinuxMemory
        {
            Limit = 268435456, Reservation = 1, Swap = -1, Kernel = 2, KernelTCP = 3, Swappiness = 60, DisableOOMKiller = true,
        });
        resources.CPU.ShouldBe(new LinuxCPU { Shares = 512, Quota = 150000, Period = 100000, RealtimeRuntime = 4, RealtimePeriod = 5 });
        resources.Pids.ShouldBeNull();
    }

    [Fact]
    public void Sysctl_devices_and_propagation_are_carried()
    {
        var json = OciSpecs.Edited(r =>
        {
            var linux = r["linux"]!.AsObject();
            linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };
            linux["rootfsPropagation"] = "rslave";
            linux["devices"] = JsonNode.Parse("""
                [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
                 {"path": "/dev/vfio/12", "type": "c", "major": 243, "minor": 0, "fileMode": 438},
                 {"path": "/dev/vfio/vfio", "type": "c", "major": 10, "minor": 196}]
                """);
        });

        var linux = Convert(json).Spec.Linux;

        linux.Sysctl.ShouldBe(new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" });
        linux.RootfsPropagation.ShouldBe("rslave");
        linux.Devices.Select(d => d.Path).ShouldBe(["/dev/fuse", "/dev/vfio/12", "/dev/vfio/vfio"]);
        linux.Devices[0].ShouldBe(new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229, FileMode = 438 });
    }

    [Fact]
    public void Guest_kernel_mode_removes_vfio_char_devices_only()
    {
        var json = OciSpecs.Edited(r => r["linux"]!["devices"] = JsonNode.Parse("""
            [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
             {"path": "/dev/vfio/12", "type": "c", "major": 243, "minor": 0},
             {"path": "/dev/vfio/vfio", "type": "c", "major": 10, "minor": 196},
             {"path": "/dev/vfio/odd", "type": "b", "major": 8, "minor": 0},
             {"path": "/dev/vfio-not", "type": "c", "major": 1, "minor": 1}]
            """));

        Convert(json, removeVfio: true).Spec.Linux.Devices.Select(d => d.Path).ShouldBe(["/dev/fuse", "/dev/vfio/odd", "/dev/vfio-not"]);
    }

    [Fact]
    public void Namespaces_are_always_mount_ipc_uts_without_paths_and_a_pid_path_means_sandbox_pidns()
    {
        var json = OciSpecs.Edited(r => r["linux"]!["namespaces"] = JsonNode.Parse("""
            [{"type": "pid", "path": "/proc/42/ns/pid"}, {"type": "network", "path": "/var/run/netns/pod"},
             {"type": "ipc", "path": "/proc/42/ns/ipc"}, {"type": "cgroup"}, {"type": "time"}, {"type": "user"}]
            """));

        var result = Convert(json);

        result.SandboxPidns.ShouldBeTrue();
        result.Spec.Linux.Namespaces.ShouldBe([
            new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "ipc" }, new LinuxNamespace { Type = "uts" },
        ]);
    }

    [Fact]
    public void A_spec_without_linux_still_gets_the_guest_namespaces()
    {
        var result = Convert("""{"process": {"args": ["/bin/true"]}}""");

        result.Spec.Linux.Namespaces.Select(n => n.Type).ShouldBe(["mount", "ipc", "uts"]);
        result.Spec.Linux.Resources.ShouldBeNull();
        result.SandboxPidns.ShouldBeFalse();
        result.Spec.Process.User.ShouldBe(new User());
        result.Spec.Root.Path.ShouldBe(Rootfs);
    }

    [Fact]
    public void Unknown_fields_nulls_and_hooks_are_tolerated()
    {
        var json = OciSpecs.Edited(r =>
        {
            r["hooks"] = JsonNode.Parse("""{"prestart": [{"path": "/usr/bin/hook"}]}""");
            r["vm"] = new JsonObject { ["kernel"] = new JsonObject { ["path"] = "/k" } };
            r["hostname"] = null;
            r["linux"]!["seccomp"] = new JsonObject { ["defaultAction"] = "SCMP_ACT_ERRNO" };
            r["linux"]!["uidMappings"] = new JsonArray();
            r["process"]!["apparmorProfile"] = "cri-containerd.apparmor.d";
            r["process"]!["selinuxLabel"] = "system_u:system_r:container_t:s0";
            r["process"]!["consoleSize"] = null;
        });

        var spec = Convert(json).Spec;

        spec.Hostname.ShouldBe("");
        spec.Process.ApparmorProfile.ShouldBe("");
        spec.Process.SelinuxLabel.ShouldBe("");
        spec.Process.ConsoleSize.ShouldBeNull();
    }

    [Fact]
    public void The_spec_survives_the_wire()
    {
        var json = OciSpecs.Edited(r =>
        {
            r["process"]!["args"] = new JsonArray("/bin/sh");
            r["mounts"]!.AsArray().Add(OciSpecs.Bind("/srv/data", "/data", "rbind"));
        });
        var spec = Convert(json).Spec;

        var decoded = Spec.Parser.ParseFrom(spec.ToByteArray());

        decoded.ShouldBe(spec);
        decoded.Mounts.Single(m => m.Destination == "/data").Source.ShouldBe("/run/kata-containers/shared/containers/c1-0000000000000001-data");
    }

    [Theory]
    [InlineData("""{"process": {"args": ["/bin/sh",]}""", "near field 'process.args[0]'")]
    [InlineData("""{"process": {}, "mounts": [{"destination": "/a"}, {"destination": /b}]}""", "near field 'mounts[1].destination'")]
    [InlineData("""{"process": {"cwd": "/"}, "linux": {"resources": {"memory": {"limit": 1,}}}}""", "near field 'linux.resources.memory.limit'")]
    [InlineData("""{"process": """, "near field 'process'")]
    [InlineData("""not json""", "(line 1)")]
    public void Malformed_json_names_the_bundle_file_and_where_it_broke(string json, string where)
    {
        var ex = Should.Throw<InvalidDataException>(() => Convert(json));

        ex.Message.ShouldStartWith(OciSpecs.ConfigPath + ": not valid JSON");
        ex.Message.ShouldContain(where);
    }

    [Theory]
    [InlineData("""{"process": {"user": {"uid": "root"}}}""", "process.user.uid", "string \"root\"")]
    [InlineData("""{"process": {"user": {"uid": -1}}}""", "process.user.uid", "number -1")]
    [InlineData("""{"process": {"args": "/bin/sh"}}""", "process.args", "an array")]
    [InlineData("""{"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1.5}]}}""", "process.rlimits[0].hard", "number 1.5")]
    [InlineData("""{"process": {"terminal": "yes"}}""", "process.terminal", "true or false")]
    [InlineData("""{"process": {}, "mounts": [{"destination": 7}]}""", "mounts[0].destination", "a string")]
    [InlineData("""{"process": {}, "linux": {"resources": {"memory": {"limit": "1G"}}}}""", "linux.resources.memory.limit", "string \"1G\"")]
    [InlineData("""{"process": {}, "annotations": {"a": 1}}""", "annotations.a", "a string")]
    [InlineData("""{"process": {}, "linux": []}""", "'linux'", "an object")]
    [InlineData("""[]""", "(document)", "a JSON object")]
    public void A_field_of_the_wrong_type_is_named_with_the_file(string json, string field, string detail)
    {
        var ex = Should.Throw<InvalidDataException>(() => Convert(json));

        ex.Message.ShouldContain(OciSpecs.ConfigPath);
        ex.Message.ShouldContain(field);
        ex.Message.ShouldContain(detail);
    }

    [Fact]
    public void A_spec_without_a_process_is_refused()
    {
        var ex = Should.Throw<InvalidDataException>(() => Convert("""{"ociVersion": "1.1.0"}"""));

        ex.Message.ShouldContain(OciSpecs.ConfigPath);
        ex.Message.ShouldContain("'process' is missing");
    }

    [Fact]
    public void An_env_entry_without_equals_is_refused_by_index()
    {
        var ex = Should.Throw<InvalidDataException>(() => Convert("""{"process": {"env": ["A=1", "BROKEN"]}}"""));

        ex.Message.ShouldContain("process.env[1]");
        ex.Message.ShouldContain("\"BROKEN\"");
        ex.Message.ShouldContain("KEY=value");
    }

    [Theory]
    [InlineData("c")]
    [InlineData("-c1")]
    [InlineData("c1/../x")]
    [InlineData("")]
    public void A_container_id_the_agent_would_refuse_is_refused_here(string id)
    {
        var ex = Should.Throw<ArgumentException>(() =>
            AgentContainerSpec.FromOciJson(OciSpecs.CtrDefault, OciSpecs.ConfigPath, id, Rootfs));

        ex.Message.ShouldContain($"'{id}'");
    }
}
