using Shim.Containerd.Lifecycle;

namespace Shim.Containerd.Tests;

public sealed class ShimFlagParserTests
{
    [Fact]
    public void ParsesWhatContainerdSendsToStart()
    {
        var flags = ShimFlagParser.Parse(["-namespace", "k8s.io", "-address", "/run/containerd/containerd.sock",
            "-publish-binary", "/usr/bin/containerd", "-id", "p10", "-debug", "start"]);
        flags.ShouldBe(new ShimFlags(ShimAction.Start, "k8s.io", "/run/containerd/containerd.sock", "/usr/bin/containerd", "p10", null, true, null));
    }

    [Fact]
    public void ParsesDelete_WithEqualsForm_DoubleDash_AndIgnoresUnknownFlags()
    {
        var flags = ShimFlagParser.Parse(["--namespace=default", "-address=/a.sock", "-future-flag", "x", "-id", "c1", "-bundle", "/b/c1", "delete"]);
        flags.Action.ShouldBe(ShimAction.Delete);
        flags.Namespace.ShouldBe("default");
        flags.Address.ShouldBe("/a.sock");
        flags.Bundle.ShouldBe("/b/c1");
        flags.Debug.ShouldBeFalse();
    }

    [Fact]
    public void ParsesOurServeMode()
    {
        var flags = ShimFlagParser.Parse(["-namespace", "n", "-id", "c1", "-socket", "/s/x", "-runtime-config", "/etc/k.toml", "serve"]);
        flags.Action.ShouldBe(ShimAction.Serve);
        flags.Socket.ShouldBe("/s/x");
        flags.RuntimeConfigPath.ShouldBe("/etc/k.toml");
    }

    [Theory]
    [InlineData(new[] { "-namespace", "n", "-id", "c1" }, "no action")]
    [InlineData(new[] { "-namespace", "n", "-id", "c1", "run" }, "unknown action 'run'")]
    [InlineData(new[] { "-namespace", "n", "start" }, "flag -id is required")]
    [InlineData(new[] { "-namespace", "n", "-id", "../etc", "start" }, "-id '../etc' is not a valid containerd identifier")]
    [InlineData(new[] { "-namespace", "n", "-id", "c1", "serve" }, "serve needs -socket")]
    [InlineData(new[] { "-namespace", "n", "-id" }, "flag -id needs a value")]
    public void RejectsWhatContainerdNeverSends_NamingTheProblem(string[] args, string message) =>
        Should.Throw<ShimUsageException>(() => ShimFlagParser.Parse(args)).Message.ShouldContain(message);

    [Theory]
    [InlineData("a", true)]
    [InlineData("k8s.io", true)]
    [InlineData("a_b-c.d9", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("a..b", false)]
    [InlineData("a/b", false)]
    public void ContainerdIdentifierRules(string value, bool valid) => ContainerdIdentifier.IsValid(value).ShouldBe(valid);

    [Fact]
    public void IdentifiersLongerThan76AreRejected()
    {
        ContainerdIdentifier.IsValid(new string('a', 76)).ShouldBeTrue();
        ContainerdIdentifier.IsValid(new string('a', 77)).ShouldBeFalse();
    }
}
