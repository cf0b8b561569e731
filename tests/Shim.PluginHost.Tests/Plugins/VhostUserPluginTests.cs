using System.Net.Sockets;
using Kataplug.Plugins.VhostUser;
using Shim.Abstractions;
using Shim.PluginHost.Tests.Fakes;
using Shim.PluginHost.Views;

namespace Shim.PluginHost.Tests.Plugins;

public sealed class VhostUserPluginTests
{
    private readonly VhostUserPlugin _plugin = new();
    private static readonly SandboxDeviceSettings Shared = SandboxDeviceSettings.KataDefaults with { GuestMemoryShared = true };

    private async Task<(DiscoveryResult Discovery, List<PlanOutcome> Outcomes)> Run(PluginContext context)
    {
        var discovery = await _plugin.DiscoverAsync(context, CancellationToken.None);
        var outcomes = new List<PlanOutcome>();
        foreach (var c in discovery.Candidates) outcomes.Add(await _plugin.PlanAsync(context, c, CancellationToken.None));
        return (discovery, outcomes);
    }

    private static Dictionary<string, string> Annotation(string value) => new() { ["vhost-user.kataplug.io/eth1"] = value };

    [Fact]
    public async Task An_annotated_socket_becomes_a_chardev_that_reconnects()
    {
        var files = new FakeFileView().Socket("/run/vpp/eth1.sock");

        var (discovery, outcomes) = await Run(Contexts.Create("vhost-user", files: files, devices: Shared,
            annotations: Annotation("socket=/run/vpp/eth1.sock,mac=02:AA:00:00:00:01,queues=4"),
            settings: Contexts.Table(("reconnect_seconds", 3L))));

        discovery.Candidates.ShouldHaveSingleItem().Id.ShouldBe("eth1");
        var request = outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request;
        request.VhostUser.ShouldBe(new VhostUserNetRequest("/run/vpp/eth1.sock", 3, "02:aa:00:00:00:01", 4));
        request.GuestInterface!.Name.ShouldBe("eth1");
        request.GuestInterface.EndpointType.ShouldBe("vhost-user");
        request.PciFunctions.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_declared_socket_takes_the_placeholder_links_addresses_and_mac()
    {
        var links = new FakeLinkView().Add(FakeLinkView.VfLink("eth1", null, mac: "02:00:00:00:00:33"));
        var files = new FakeFileView().Socket("/run/ovs/vhu1.sock");
        var settings = Contexts.Table(("sockets", new List<object> { Contexts.Table(("interface", "eth1"), ("socket", "/run/ovs/vhu1.sock")) }));

        var (_, outcomes) = await Run(Contexts.Create("vhost-user", links: links, files: files, devices: Shared, settings: settings));

        var request = outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request;
        request.VhostUser!.Mac.ShouldBe("02:00:00:00:00:33");
        request.VhostUser.ReconnectSeconds.ShouldBe(1);
        request.GuestInterface!.Addresses.Select(a => a.ToString()).ShouldContain("10.10.0.5/24");
    }

    [Fact]
    public async Task Katas_socket_path_convention_is_recognised()
    {
        var links = new FakeLinkView().Add(FakeLinkView.VfLink("eth1", null));
        var files = new FakeFileView().Socket("/tmp/vhostuser_10.10.0.5/vhu.sock");

        var (discovery, outcomes) = await Run(Contexts.Create("vhost-user", links: links, files: files, devices: Shared));

        discovery.Candidates.ShouldHaveSingleItem().Description.ShouldContain("Kata convention");
        outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request.VhostUser!.SocketPath.ShouldBe("/tmp/vhostuser_10.10.0.5/vhu.sock");
    }

    [Fact]
    public async Task Unshared_guest_memory_fails_the_plan()
    {
        var files = new FakeFileView().Socket("/run/vpp/eth1.sock");

        var (_, outcomes) = await Run(Contexts.Create("vhost-user", files: files, annotations: Annotation("socket=/run/vpp/eth1.sock,mac=02:00:00:00:00:01")));

        var fail = outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>();
        fail.Message.ShouldContain("guest memory is not shared");
        fail.SettingKey.ShouldBe("enable_hugepages");
    }

    [Fact]
    public async Task Hot_plug_is_refused_at_plan_time()
    {
        var files = new FakeFileView().Socket("/run/vpp/eth1.sock");

        var (_, outcomes) = await Run(Contexts.Create("vhost-user", files: files, devices: Shared, phase: AttachPhase.Running,
            annotations: Annotation("socket=/run/vpp/eth1.sock,mac=02:00:00:00:00:01")));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain("hot plug is not supported");
    }

    [Theory]
    [InlineData(false, "does not exist")]
    [InlineData(true, "is a regular, not a UNIX socket")]
    public async Task The_socket_must_exist_and_be_a_socket(bool regularFile, string expected)
    {
        var files = regularFile ? new FakeFileView().File("/run/vpp/eth1.sock", "") : new FakeFileView();

        var (_, outcomes) = await Run(Contexts.Create("vhost-user", files: files, devices: Shared,
            annotations: Annotation("socket=/run/vpp/eth1.sock,mac=02:00:00:00:00:01")));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("mac=02:00:00:00:00:01", "socket=<path> is missing")]
    [InlineData("socket=/x.sock,speed=10", "\"speed=10\" is not understood")]
    [InlineData("socket=/x.sock,queues=0", "\"queues=0\" is not understood")]
    public async Task A_malformed_annotation_fails_with_the_expected_syntax(string value, string expected)
    {
        var (_, outcomes) = await Run(Contexts.Create("vhost-user", devices: Shared, annotations: Annotation(value)));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain(expected);
    }

    [Fact]
    public async Task Without_a_mac_or_a_link_the_plan_asks_for_one()
    {
        var files = new FakeFileView().Socket("/run/vpp/eth1.sock");

        var (_, outcomes) = await Run(Contexts.Create("vhost-user", files: files, devices: Shared, annotations: Annotation("socket=/run/vpp/eth1.sock")));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain("no MAC address");
    }

    [Fact]
    public void The_host_file_view_tells_a_listening_unix_socket_from_a_file()
    {
        var dir = Directory.CreateTempSubdirectory("kataplug-vhu-").FullName;
        try
        {
            var socketPath = Path.Combine(dir, "vhu.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
            var filePath = Path.Combine(dir, "plain");
            File.WriteAllText(filePath, "x");
            var link = Path.Combine(dir, "link.sock");
            File.CreateSymbolicLink(link, socketPath);
            var view = new HostFileView();

            view.GetKind(socketPath).ShouldBe(HostFileKind.Socket);
            view.GetKind(link).ShouldBe(HostFileKind.Socket);
            view.GetKind(filePath).ShouldBe(HostFileKind.Regular);
            view.GetKind(dir).ShouldBe(HostFileKind.Directory);
            view.GetKind(Path.Combine(dir, "missing")).ShouldBe(HostFileKind.Missing);
            view.GetKind("/dev/null").ShouldBe(HostFileKind.CharacterDevice);
            view.ReadText(filePath).ShouldBe("x");
            view.ListDirectory(dir).ShouldBe([link, filePath, socketPath]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
