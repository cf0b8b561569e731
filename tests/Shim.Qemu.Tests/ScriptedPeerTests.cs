using System.Text.Json.Nodes;
using Shim.Qmp;
using static Shim.Qemu.Tests.ScriptedQmpPeer;

namespace Shim.Qemu.Tests;

/// <summary>What real QEMU without a guest cannot produce: guest busy, guest rejection, vCPU _OST sequences.</summary>
public sealed class ScriptedPeerTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    private static readonly QemuTopology Topo = QemuTopology.WithRootPorts(2);

    private static JsonObject DeviceDeleted(string id) => Event("DEVICE_DELETED", new JsonObject { ["device"] = id, ["path"] = $"/machine/peripheral/{id}" });

    private static IEnumerable<JsonObject> QomPath(ReceivedCommand c) => c.Arguments!["property"]!.GetValue<string>() switch
    {
        "addr" => [Return(c.Arguments["path"]!.GetValue<string>().EndsWith("rp1") ? 16 : 0)],
        _ => [Return(c.Arguments["path"]!.GetValue<string>().EndsWith("rp1") ? "/machine/q35/pcie.0" : "/machine/peripheral/rp1/rp1")],
    };

    [Fact]
    public async Task Guest_busy_is_retried_with_backoff_until_the_unplug_completes()
    {
        using var dir = new TempDir();
        var busy = 2;
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            "device_add" => [Return()],
            "qom-get" => QomPath(c),
            "device_del" when busy-- > 0 => [Error("GenericError", "Hot-unplug failed: guest is busy (power indicator blinking)")],
            "device_del" => [Return(), DeviceDeleted("vf0")],
            _ => [Error("CommandNotFound", "unexpected")],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var hp = new PciHotplug(qmp, Topo);
        var added = await hp.AddAsync(QemuDevice.VfioPci("vf0", "0000:84:01.1", "rp1"), T, CancellationToken.None);
        added.GuestPath.ToString().ShouldBe("02/00");
        var r = await hp.RemoveAsync("vf0", T, CancellationToken.None);
        r.Outcome.ShouldBe(PciDetachOutcome.Removed);

        var sent = peer.Received;
        JsonNode.DeepEquals(sent[0].Arguments, JsonNode.Parse("""{"driver":"vfio-pci","id":"vf0","bus":"rp1","addr":"0x0","host":"0000:84:01.1"}""")).ShouldBeTrue(sent[0].Arguments!.ToJsonString());
        var dels = sent.Where(c => c.Name == "device_del").ToList();
        dels.Count.ShouldBe(3);
        dels.ShouldAllBe(c => c.Arguments!.ToJsonString() == """{"id":"vf0"}""");
        sent.Select(c => c.Id!.GetValue<long>()).Distinct().Count().ShouldBe(sent.Count); // every command has its own id
    }

    [Fact]
    public async Task Guest_busy_until_the_deadline_leaves_the_device_attached()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            "device_del" => [Error("GenericError", "Hot-unplug failed: guest is busy (power indicator blinking)")],
            _ => [Return()],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var hp = new PciHotplug(qmp, Topo, [QemuDevice.VfioPci("vf0", "84:01.1", "rp0")]);
        var r = await hp.RemoveAsync("vf0", TimeSpan.FromMilliseconds(1000), CancellationToken.None);
        r.Outcome.ShouldBe(PciDetachOutcome.StillAttached);
        r.HostDeviceReleased.ShouldBeFalse();
        r.Detail.ShouldContain("Hot-unplug failed: guest is busy (power indicator blinking)");
        hp.IsUnplugPending("vf0").ShouldBeFalse();
        peer.Received.Count(c => c.Name == "device_del").ShouldBeInRange(2, 5); // backoff (0, 100, 300, 700 ms), not a hot loop
    }

    [Fact]
    public async Task Guest_rejection_event_ends_the_wait_with_still_attached()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            "device_del" => [Return(), Event("DEVICE_UNPLUG_GUEST_ERROR", new JsonObject { ["device"] = "vf0", ["path"] = "/machine/peripheral/vf0" })],
            _ => [Return()],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var hp = new PciHotplug(qmp, Topo, [QemuDevice.VfioPci("vf0", "84:01.1", "rp0")]);
        var r = await hp.RemoveAsync("vf0", T, CancellationToken.None);
        r.Outcome.ShouldBe(PciDetachOutcome.StillAttached);
        r.Detail.ShouldContain("DEVICE_UNPLUG_GUEST_ERROR");
        r.Elapsed.ShouldBeLessThan(T);
    }

    [Fact]
    public async Task Deleted_event_before_the_reply_and_child_object_events_are_handled()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            // Child object first (no "device"), then the device, then the reply: subscription precedes the send.
            "device_del" => [Event("DEVICE_DELETED", new JsonObject { ["path"] = "/machine/peripheral/vf0/virtio-backend" }), DeviceDeleted("vf0"), Return()],
            _ => [Return()],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var hp = new PciHotplug(qmp, Topo, [QemuDevice.VfioPci("vf0", "84:01.1", "rp0")]);
        (await hp.RemoveAsync("vf0", T, CancellationToken.None)).Outcome.ShouldBe(PciDetachOutcome.Removed);
    }

    [Fact]
    public async Task Replies_out_of_order_are_matched_by_id()
    {
        using var dir = new TempDir();
        ScriptedQmpPeer? self = null;
        JsonNode? heldId = null;
        await using var peer = new ScriptedQmpPeer(dir, c =>
        {
            if (c.Name == "first") { heldId = c.Id; return []; }
            var late = Return("first-answer");
            late["id"] = heldId!.DeepClone();
            return [Return("second-answer"), late];
        });
        self = peer;
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        var first = qmp.ExecuteAsync("first", null, T, CancellationToken.None);
        var second = await qmp.ExecuteAsync("second", null, T, CancellationToken.None);
        second!.GetValue<string>().ShouldBe("second-answer");
        (await first)!.GetValue<string>().ShouldBe("first-answer");
    }

    [Fact]
    public async Task Events_before_the_greeting_reach_early_subscribers_and_the_handshake_succeeds()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, _ => [Return()], beforeGreeting: [Event("RTC_CHANGE", new JsonObject { ["offset"] = 1 })]);
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        qmp.Greeting.Version.ToString().ShouldBe("7.2.22");
        qmp.Greeting.Version.Package.ShouldBe("scripted");
    }

    [Fact]
    public async Task Error_reply_carries_class_and_desc_verbatim()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, _ => [Error("GenericError", "Hot-unplug failed: unsupported by the port device 'rp0'")]);
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        var ex = await Should.ThrowAsync<QmpCommandException>(() => qmp.ExecuteAsync("device_del", new JsonObject { ["id"] = "x" }, T, CancellationToken.None));
        ex.ErrorClass.ShouldBe("GenericError");
        ex.Description.ShouldBe("Hot-unplug failed: unsupported by the port device 'rp0'");
    }

    [Fact]
    public async Task Peer_closing_fails_pending_calls_naming_the_socket()
    {
        using var dir = new TempDir();
        var peer = new ScriptedQmpPeer(dir, _ => []);
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        var pending = qmp.ExecuteAsync("query-status", null, TimeSpan.FromSeconds(60), CancellationToken.None);
        await peer.DisposeAsync();
        var ex = await Should.ThrowAsync<QmpConnectionLostException>(() => pending.WaitAsync(T));
        ex.SocketPath.ShouldBe(peer.SocketPath);
    }

    [Fact]
    public async Task Invalid_json_from_the_peer_is_a_protocol_error()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, _ => []);
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        var pending = qmp.ExecuteAsync("query-status", null, T, CancellationToken.None);
        await peer.SendAsync(new JsonObject { ["x"] = 1 }); // valid but not ours: ignored
        await Should.ThrowAsync<QmpTimeoutException>(() => qmp.ExecuteAsync("query-status", null, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        pending.IsCompleted.ShouldBeFalse();
    }

    private static JsonObject Ost(string? device, string slot, int source, int status)
    {
        var info = new JsonObject { ["source"] = source, ["status"] = status, ["slot"] = slot, ["slot-type"] = "CPU" };
        if (device is not null) info["device"] = device;
        return Event("ACPI_DEVICE_OST", new JsonObject { ["info"] = info });
    }

    private static readonly string HotpluggableCpus = """
        [{"props": {"core-id": 0, "thread-id": 0, "socket-id": 3}, "vcpus-count": 1, "type": "host-x86_64-cpu"},
         {"props": {"core-id": 0, "thread-id": 0, "socket-id": 2}, "vcpus-count": 1, "type": "host-x86_64-cpu"},
         {"props": {"core-id": 0, "thread-id": 0, "socket-id": 1}, "vcpus-count": 1, "type": "host-x86_64-cpu"},
         {"props": {"core-id": 0, "thread-id": 0, "socket-id": 0}, "vcpus-count": 1, "qom-path": "/machine/unattached/device[0]", "type": "host-x86_64-cpu"}]
        """;

    [Fact]
    public async Task Vcpu_add_follows_OST_remove_matches_the_deviceless_eject_by_slot_and_then_refuses_the_TCG_defect()
    {
        using var dir = new TempDir();
        var present = new HashSet<string>();
        await using var peer = new ScriptedQmpPeer(dir, c =>
        {
            switch (c.Name)
            {
                case "query-hotpluggable-cpus": return [Return(JsonNode.Parse(HotpluggableCpus))];
                case "device_add":
                    var id = c.Arguments!["id"]!.GetValue<string>();
                    present.Add(id);
                    var slot = c.Arguments["socket-id"]!.GetValue<int>().ToString();
                    return [Return(), Ost(id, slot, 1, 0)];
                case "device_del":
                    var del = c.Arguments!["id"]!.GetValue<string>();
                    present.Remove(del);
                    // qmp.md §10.3: in-progress with device, lapic child deleted, completion WITHOUT device.
                    return [Return(), Ost(del, "2", 3, 132), Event("DEVICE_DELETED", new JsonObject { ["path"] = $"/machine/peripheral/{del}/lapic" }), Ost(null, "2", 3, 0)];
                case "query-cpus-fast":
                    return [Return(new JsonArray([.. present.Select(p => (JsonNode)new JsonObject { ["qom-path"] = $"/machine/peripheral/{p}" })]))];
                case "query-version":
                    return [Return(JsonNode.Parse("""{"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}"""))];
                default: return [Error("CommandNotFound", $"The command {c.Name} has not been found")];
            }
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var cpus = new VcpuHotplug(qmp, SmpTopology.Flat(1, 4), "tcg");

        var add = await cpus.AddAsync(2, T, CancellationToken.None);
        add.Complete.ShouldBeTrue(add.Summary);
        add.Onlined.Select(o => o.AcpiSlot).ShouldBe(["1", "2"]);
        var adds = peer.Received.Where(c => c.Name == "device_add").ToList();
        adds[0].Arguments!.ToJsonString().ShouldBe("""{"driver":"host-x86_64-cpu","id":"vcpu1","core-id":0,"socket-id":1,"thread-id":0}""");
        adds[1].Arguments!["socket-id"]!.GetValue<int>().ShouldBe(2);

        var remove = await cpus.RemoveAsync(1, T, CancellationToken.None);
        remove.Complete.ShouldBeTrue(remove.Summary);
        remove.Removed.Single().Id.ShouldBe("vcpu2"); // last added first
        peer.Received.Single(c => c.Name == "device_del").Arguments!.ToJsonString().ShouldBe("""{"id":"vcpu2"}""");
        cpus.PresentCount.ShouldBe(2);

        var before = peer.Received.Count;
        var ex = await Should.ThrowAsync<VcpuHotplugException>(() => cpus.AddAsync(1, T, CancellationToken.None));
        ex.Message.ShouldContain("QEMU 7.2.22 under TCG corrupts its heap");
        peer.Received.Skip(before).Select(c => c.Name).ShouldBe(["query-version"]); // nothing but the version check
    }

    [Fact]
    public async Task Vcpu_guest_rejection_of_an_eject_is_reported()
    {
        using var dir = new TempDir();
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            "query-hotpluggable-cpus" => [Return(JsonNode.Parse(HotpluggableCpus))],
            "device_add" => [Return(), Ost(c.Arguments!["id"]!.GetValue<string>(), "1", 1, 0)],
            "device_del" => [Return(), Ost(null, "1", 3, 0x82)],
            _ => [Return(new JsonArray())],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var cpus = new VcpuHotplug(qmp, SmpTopology.Flat(1, 4), "kvm");
        (await cpus.AddAsync(1, T, CancellationToken.None)).Complete.ShouldBeTrue();
        var r = await cpus.RemoveAsync(1, T, CancellationToken.None);
        r.Removed.ShouldBeEmpty();
        r.Error.ShouldBe("the guest rejected removing vcpu1 (ACPI _OST status 0x82)");
        cpus.PresentCount.ShouldBe(2);
    }

    [Fact]
    public async Task Vcpu_add_partial_failure_reports_requested_added_onlined()
    {
        using var dir = new TempDir();
        var n = 0;
        await using var peer = new ScriptedQmpPeer(dir, c => c.Name switch
        {
            "query-hotpluggable-cpus" => [Return(JsonNode.Parse(HotpluggableCpus))],
            "device_add" when n++ == 0 => [Return(), Ost(c.Arguments!["id"]!.GetValue<string>(), "1", 1, 0)],
            "device_add" => [Error("GenericError", "CPU[2] with APIC ID 2 exists")],
            _ => [Return()],
        });
        await using var qmp = await QmpClient.ConnectAsync(peer.SocketPath, T, CancellationToken.None);
        using var cpus = new VcpuHotplug(qmp, SmpTopology.Flat(1, 4), "kvm");
        var r = await cpus.AddAsync(3, T, CancellationToken.None);
        r.Requested.ShouldBe(3);
        r.Added.Count.ShouldBe(1);
        r.Onlined.Count.ShouldBe(1);
        r.Error!.ShouldContain("CPU[2] with APIC ID 2 exists");
        r.Summary.ShouldStartWith("vCPU hot-add: requested 3, added 1, onlined by the guest 1; stopped:");
        peer.Received.Count(c => c.Name == "device_add").ShouldBe(2); // stops at the first refusal
    }
}
