using Shim.Agent.Tests;

namespace Shim.Pipeline.Tests;

/// <summary>
/// What a container needs to run end to end besides containerd: an emulated host and state directory
/// (<see cref="PipelineHost"/>), one test agent serving sandbox after sandbox with the host's shared directories as
/// kataShared, and a tiny rootfs (the host's sh, cat, sleep, dd… with their libraries) for <c>ctr run --rootfs</c>.
/// Shared by a test class; tests use distinct container ids.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    private static readonly string[] RootfsBinaries =
        ["/bin/sh", "/bin/cat", "/bin/echo", "/bin/sleep", "/bin/dd", "/bin/true", "/bin/false", "/bin/head", "/bin/nproc"];

    public PipelineHost Host { get; } = new();

    public TestAgentProcess Agent { get; private set; } = null!;

    public string Rootfs => Path.Combine(Host.Directory, "rootfs");

    /// <summary>A device-less sandbox with the real QEMU, reaching the test agent.</summary>
    public string Config { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await TinyRootfs.BuildAsync(Rootfs, deadline.Token, RootfsBinaries);
        Agent = await TestAgentProcess.StartAsync(Host.SharedRootTemplate, deadline.Token);
        Config = WriteConfig("e2e", "pcie_root_port = 2");
    }

    /// <summary>A configuration reaching this fixture's agent; <paramref name="qemuPath"/> null = the real QEMU.</summary>
    public string WriteConfig(string name, string qemuKeys, string? qemuPath = null) =>
        Host.WriteConfig(name, qemuKeys, Agent.Address, qemuPath);

    public async Task DisposeAsync()
    {
        if (Agent is not null) await Agent.DisposeAsync();
        Host.Dispose();
    }
}
