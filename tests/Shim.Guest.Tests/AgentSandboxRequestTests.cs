using System.Text.Json.Nodes;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;

namespace Shim.Guest.Tests;

public class AgentSandboxRequestTests
{
    [Fact]
    public void KataShared_is_the_virtio_fs_storage_at_the_shared_containers_directory()
    {
        SandboxStorages.KataShared().ShouldBe(new Storage
        {
            Driver = "virtio-fs", Source = "kataShared", Fstype = "virtiofs", MountPoint = "/run/kata-containers/shared/containers/",
        });
    }

    [Fact]
    public void The_request_carries_id_hostname_dns_the_share_and_modules()
    {
        var request = AgentSandboxRequest.Build(
            "sb1", "pod-a", "nameserver 10.96.0.10\r\nsearch default.svc.cluster.local\n\n  \noptions ndots:5\n",
            ["vfio_pci ids=10de:1eb8  disable_vga=1", "  ", "br_netfilter"]);

        request.SandboxId.ShouldBe("sb1");
        request.Hostname.ShouldBe("pod-a");
        request.Dns.ShouldBe(["nameserver 10.96.0.10", "search default.svc.cluster.local", "options ndots:5"]);
        request.Storages.ShouldBe([SandboxStorages.KataShared()]);
        request.KernelModules.ShouldBe([
            new KernelModule { Name = "vfio_pci", Parameters = { "ids=10de:1eb8", "disable_vga=1" } },
            new KernelModule { Name = "br_netfilter" },
        ]);
        request.SandboxPidns.ShouldBeFalse();
        request.GuestHookPath.ShouldBe("");
    }

    [Fact]
    public void The_hostname_is_cut_to_64_characters()
    {
        var request = AgentSandboxRequest.Build("sb1", new string('h', 70), null, []);

        request.Hostname.ShouldBe(new string('h', 64));
    }

    [Fact]
    public void Without_a_resolv_conf_the_guest_one_is_left_alone()
    {
        var request = AgentSandboxRequest.Build("sb1", "", null, [], sandboxPidns: true);

        request.Dns.ShouldBeEmpty();
        request.KernelModules.ShouldBeEmpty();
        request.SandboxPidns.ShouldBeTrue();
    }

    [Fact]
    public void An_id_the_agent_would_refuse_is_refused()
    {
        Should.Throw<ArgumentException>(() => AgentSandboxRequest.Build("a/b", "", null, [])).Message.ShouldContain("'a/b'");
    }

    [Fact]
    public void The_resolv_conf_to_read_is_the_source_of_the_bind_at_etc_resolv_conf()
    {
        var json = OciSpecs.Edited(r =>
        {
            r["mounts"]!.AsArray().Add(OciSpecs.Bind("/var/lib/containerd/sandboxes/sb1/hosts", "/etc/hosts", "rbind", "ro"));
            r["mounts"]!.AsArray().Add(OciSpecs.Bind("/var/lib/containerd/sandboxes/sb1/resolv.conf", "/etc/resolv.conf", "rbind", "ro"));
        });

        AgentSandboxRequest.ResolvConfHostPath(json, OciSpecs.ConfigPath).ShouldBe("/var/lib/containerd/sandboxes/sb1/resolv.conf");
    }

    [Fact]
    public void No_resolv_conf_bind_means_no_file_to_read()
    {
        AgentSandboxRequest.ResolvConfHostPath(OciSpecs.CtrDefault, OciSpecs.ConfigPath).ShouldBeNull();
        var tmpfs = OciSpecs.Edited(r => r["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/etc/resolv.conf", ["type"] = "tmpfs", ["source"] = "tmpfs",
        }));
        AgentSandboxRequest.ResolvConfHostPath(tmpfs, OciSpecs.ConfigPath).ShouldBeNull();
    }

    [Fact]
    public void Guest_paths_follow_the_Kata_layout()
    {
        GuestPaths.ContainerRootfs("c1").ShouldBe("/run/kata-containers/shared/containers/c1/rootfs");
        GuestPaths.SharedEntry("c1-0123456789abcdef-hosts").ShouldBe("/run/kata-containers/shared/containers/c1-0123456789abcdef-hosts");
        Should.Throw<ArgumentException>(() => GuestPaths.ContainerRootfs("../x"));
    }

    [Fact]
    public void Random_hex_is_16_lower_case_hex_digits_and_fresh()
    {
        var a = SharedBind.RandomHex();
        var b = SharedBind.RandomHex();

        a.ShouldMatch("^[0-9a-f]{16}$");
        b.ShouldMatch("^[0-9a-f]{16}$");
        a.ShouldNotBe(b);
    }
}
