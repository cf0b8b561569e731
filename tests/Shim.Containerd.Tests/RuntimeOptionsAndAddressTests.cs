using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

public sealed class RuntimeOptionsAndAddressTests
{
    [Fact]
    public void GoldenStdinOfStart_YieldsTheConfigPath() =>
        RuntimeOptionsReader.ConfigPathFromStdinBytes(ShimProcessContractTests.RuntimeOptionsStdin).ShouldBe("/etc/kata/cfg.toml");

    [Fact]
    public void EmptyStdin_MeansNoOptions() => RuntimeOptionsReader.ConfigPathFromStdinBytes([]).ShouldBeNull();

    [Fact]
    public void PrefixedTypeUrl_IsAccepted_AndOtherTypesAreIgnored()
    {
        var value = new Protos.RuntimeOptions.Options { ConfigPath = "/x.toml" }.ToByteString();
        RuntimeOptionsReader.ConfigPath(new Any { TypeUrl = "type.googleapis.com/runtimeoptions.v1.Options", Value = value }).ShouldBe("/x.toml");
        RuntimeOptionsReader.ConfigPath(new Any { TypeUrl = "containerd.runc.v1.Options", Value = value }).ShouldBeNull();
        RuntimeOptionsReader.ConfigPath(null).ShouldBeNull();
    }

    [Fact]
    public void GarbageOnStdin_IsInvalidData_WithTheByteCount() =>
        Should.Throw<InvalidDataException>(() => RuntimeOptionsReader.ConfigPathFromStdinBytes([0xff, 0xff, 0xff]))
            .Message.ShouldContain("3 bytes");

    [Fact]
    public void SocketPath_IsTheGoShimHash_UnderTheDirectory()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("/run/containerd/containerd.sock/k8s.io/sb1")));
        var path = ShimSocketAddress.SocketPath("/run/containerd/s", "/run/containerd/containerd.sock", "k8s.io", "sb1");
        path.ShouldBe("/run/containerd/s/" + expected);
        ShimSocketAddress.ToAddress(path).ShouldBe("unix:///run/containerd/s/" + expected);
        ShimSocketAddress.FromAddress(ShimSocketAddress.ToAddress(path)).ShouldBe(path);
    }

    [Fact]
    public void SocketPath_OverTheUnixLimit_NamesTheOverride() =>
        Should.Throw<ShimUsageException>(() => ShimSocketAddress.SocketPath("/" + new string('d', 60), "/a", "n", "i"))
            .Message.ShouldContain(ShimSocketAddress.DirectoryEnvironmentVariable);

    [Fact]
    public void SocketDirectory_DefaultsToRunContainerdS_UnlessOverridden()
    {
        ShimSocketAddress.Directory(_ => null).ShouldBe("/run/containerd/s");
        ShimSocketAddress.Directory(_ => "/tmp/x").ShouldBe("/tmp/x");
    }

    [Theory]
    [InlineData("""{"annotations":{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-id":"sb"}}""", "sb", "sb")]
    [InlineData("""{"annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":"sb"}}""", "c1", "sb")]
    [InlineData("""{"annotations":{}}""", "c1", "c1")]
    [InlineData("""{}""", "c1", "c1")]
    public void DaemonOwner_IsTheSandboxForPodContainers(string json, string id, string owner)
    {
        var dir = Directory.CreateTempSubdirectory("kpb-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), json);
            BundleSpec.Load(dir).DaemonOwnerId(id).ShouldBe(owner);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void BundleSpec_ReadsRootPath_AndAMissingConfigIsEmpty()
    {
        var dir = Directory.CreateTempSubdirectory("kpb-").FullName;
        try
        {
            BundleSpec.Load(dir).ShouldBe(BundleSpec.Empty);
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"root":{"path":"/r"},"annotations":{"k":"v","n":1}}""");
            var spec = BundleSpec.Load(dir);
            spec.RootPath.ShouldBe("/r");
            spec.Annotations.ShouldBe(new Dictionary<string, string> { ["k"] = "v" });
            File.WriteAllText(Path.Combine(dir, "config.json"), "{not json");
            Should.Throw<InvalidDataException>(() => BundleSpec.Load(dir)).Message.ShouldContain("config.json");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
