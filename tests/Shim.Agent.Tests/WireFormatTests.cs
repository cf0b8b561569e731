using Google.Protobuf;
using Shim.Agent.Protocol;

namespace Shim.Agent.Tests;

/// <summary>
/// The protos are authored from the reference's field tables: these pin the field numbers and wire types the
/// real agent decodes (kata-agent-protocol.md §0, §2), byte for byte.
/// </summary>
public sealed class WireFormatTests
{
    private static string Hex(IMessage message) => Convert.ToHexString(message.ToByteArray()).ToLowerInvariant();

    [Fact]
    public void Interface_devicePath_is_field_6_and_mtu_field_4_varint()
    {
        Hex(new Interface { DevicePath = "02/00" }).ShouldBe("3205" + "30322f3030");
        Hex(new Interface { Mtu = 1500 }).ShouldBe("20dc0b");
        Hex(new Interface { RawFlags = 0x80 }).ShouldBe("408001");
    }

    [Fact]
    public void Negative_exit_status_is_a_ten_byte_varint()
    {
        Hex(new WaitProcessResponse { Status = -1 }).ShouldBe("08ffffffffffffffffff01");
        WaitProcessResponse.Parser.ParseFrom(Convert.FromHexString("088901")).Status.ShouldBe(137);
    }

    [Fact]
    public void FSGroup_numbering_starts_at_2()
    {
        Hex(new FSGroup { GroupId = 5, GroupChangePolicy = FSGroupChangePolicy.OnRootMismatch }).ShouldBe("1005" + "1801");
    }

    [Fact]
    public void CreateContainer_carries_the_spec_at_6_and_the_spec_its_Linux_at_8()
    {
        var request = new CreateContainerRequest { OCI = new Spec { Linux = new Linux() } };
        Hex(request).ShouldBe("3202" + "4200");
        Hex(new CreateContainerRequest { SandboxPidns = true }).ShouldBe("3801");
    }

    [Fact]
    public void ReadStream_len_is_field_3_and_process_rpcs_put_ids_at_1_and_2()
    {
        Hex(new ReadStreamRequest { ContainerId = "c", ExecId = "e", Len = 32768 }).ShouldBe("0a0163" + "120165" + "18808002");
        Hex(new SignalProcessRequest { Signal = 9 }).ShouldBe("1809");
        Hex(new TtyWinResizeRequest { Row = 24, Column = 80 }).ShouldBe("1818" + "2050");
    }

    [Fact]
    public void Network_wrappers_and_sandbox_fields_use_the_reference_numbers()
    {
        Hex(new UpdateRoutesRequest { Routes = new Routes { Routes_ = { new Route { Scope = 253 } } } }).ShouldBe("0a05" + "0a03" + "28fd01");
        Hex(new ARPNeighbor { State = 0x80 }).ShouldBe("208001");
        Hex(new CreateSandboxRequest { SandboxId = "s" }).ShouldBe("2a0173");
        Hex(new OnlineCPUMemRequest { NbCpus = 2, CpuOnly = true }).ShouldBe("1002" + "1801");
        Hex(new Storage { MountPoint = "/m", Shared = true }).ShouldBe("32022f6d" + "4001");
    }

    [Fact]
    public void Packed_and_unpacked_AdditionalGids_both_decode()
    {
        var packed = Convert.FromHexString("1a020102");
        var unpacked = Convert.FromHexString("18011802");
        User.Parser.ParseFrom(packed).AdditionalGids.ShouldBe([1u, 2u]);
        User.Parser.ParseFrom(unpacked).AdditionalGids.ShouldBe([1u, 2u]);
    }

    [Fact]
    public void UpdateContainer_carries_the_agent_LinuxResources_at_2()
    {
        var request = new UpdateContainerRequest { ContainerId = "c", Resources = new LinuxResources { Pids = new LinuxPids { Limit = 5 } } };
        Hex(request).ShouldBe("0a0163" + "1204" + "2202" + "0805");
        Hex(new StatsContainerRequest { ContainerId = "c" }).ShouldBe("0a0163");
    }

    [Fact]
    public void Stats_messages_use_the_Kata_agent_layout()
    {
        Hex(new CgroupStats { PidsStats = new PidsStats { Current = 3, Limit = 7 } }).ShouldBe("1a04" + "0803" + "1007");
        Hex(new CpuUsage { TotalUsage = 1, PercpuUsage = { 2, 3 }, UsageInKernelmode = 4, UsageInUsermode = 5 })
            .ShouldBe("0801" + "12020203" + "1804" + "2005");
        Hex(new ThrottlingData { Periods = 1, ThrottledPeriods = 2, ThrottledTime = 3 }).ShouldBe("0801" + "1002" + "1803");
        Hex(new CpuStats { ThrottlingData = new ThrottlingData() }).ShouldBe("1200");
        Hex(new MemoryData { Usage = 1, MaxUsage = 2, Failcnt = 3, Limit = 4 }).ShouldBe("0801" + "1002" + "1803" + "2004");
        Hex(new MemoryStats { Cache = 1, Usage = new MemoryData { Limit = 9 }, UseHierarchy = true, Stats = { ["rss"] = 2 } })
            .ShouldBe("0801" + "12022009" + "2801" + "3207" + "0a03727373" + "1002");
        Hex(new MemoryStats { SwapUsage = new MemoryData(), KernelUsage = new MemoryData() }).ShouldBe("1a00" + "2200");
        Hex(new CgroupStats { HugetlbStats = { ["2MB"] = new HugetlbStats { Usage = 1, MaxUsage = 2, Failcnt = 3 } } })
            .ShouldBe("2a0d" + "0a03324d42" + "1206" + "080110021803");
        Hex(new CgroupStats { CpuStats = new CpuStats(), MemoryStats = new MemoryStats(), BlkioStats = new BlkioStats() }).ShouldBe("0a00" + "1200" + "2200");
    }

    [Fact]
    public void StatsContainerResponse_puts_cgroup_stats_at_1_and_network_stats_at_2()
    {
        Hex(new StatsContainerResponse { CgroupStats = new CgroupStats() }).ShouldBe("0a00");
        Hex(new StatsContainerResponse { NetworkStats = { new NetworkStats { Name = "eth0", TxDropped = 1 } } })
            .ShouldBe("1208" + "0a0465746830" + "4801");
        Hex(new NetworkStats { RxBytes = 2, RxPackets = 3, RxErrors = 4, RxDropped = 5, TxBytes = 6, TxPackets = 7, TxErrors = 8 })
            .ShouldBe("1002" + "1803" + "2004" + "2805" + "3006" + "3807" + "4008");
    }
}
