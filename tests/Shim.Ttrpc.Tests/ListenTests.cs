using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Shim.Ttrpc.Tests;

public sealed partial class ListenTests
{
    [Fact]
    public async Task Socket_file_is_created_with_mode_0600()
    {
        await using var harness = new ServerHarness().WithEcho().Start();

        File.GetUnixFileMode(harness.Path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Stop_removes_the_socket_file_it_created()
    {
        var harness = new ServerHarness().WithEcho().Start();
        File.Exists(harness.Path).ShouldBeTrue();

        await harness.Server.StopAsync(TimeSpan.FromSeconds(1)).WaitAsync(RawPeer.Patience);

        File.Exists(harness.Path).ShouldBeFalse();
        await harness.DisposeAsync();
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        using var path = new TestSocketPath();
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound, never listening: connect is refused. Renamed because .NET unlinks the path it bound on dispose.
            var boundAt = path.Path + ".tmp";
            dead.Bind(new UnixDomainSocketEndPoint(boundAt));
            File.Move(boundAt, path.Path);
        }
        File.Exists(path.Path).ShouldBeTrue();
        await using var server = new TtrpcServer(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
        server.Register(Echo.Service, "Echo", Google.Protobuf.WellKnownTypes.StringValue.Parser, (r, _) => Task.FromResult(r));

        server.Listen(path.Path);

        await using var client = await TtrpcClient.ConnectAsync(path.Path, CancellationToken.None);
        (await Echo.CallAsync(client, "Echo", "fresh")).Value.ShouldBe("fresh");
    }

    [Fact]
    public async Task A_path_served_by_a_live_server_is_refused()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var second = new TtrpcServer();

        Should.Throw<IOException>(() => second.Listen(harness.Path)).Message.ShouldContain(harness.Path);
        await AssertServesAsync(harness.Path);
    }

    [Fact]
    public void A_path_longer_than_sun_path_is_refused_with_the_fix()
    {
        var server = new TtrpcServer();
        var path = "/tmp/" + new string('p', 120) + ".sock";

        Should.Throw<ArgumentException>(() => server.Listen(path)).Message.ShouldContain("use a shorter directory");
    }

    [Fact]
    public async Task Serves_an_already_listening_socket()
    {
        using var path = new TestSocketPath();
        var listening = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listening.Bind(new UnixDomainSocketEndPoint(path.Path));
        listening.Listen(8);
        await using var server = new TtrpcServer(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
        server.Register(Echo.Service, "Echo", Google.Protobuf.WellKnownTypes.StringValue.Parser, (r, _) => Task.FromResult(r));

        server.Listen(listening);

        await AssertServesAsync(path.Path);
    }

    [Fact]
    public async Task Serves_a_listening_socket_given_by_file_descriptor()
    {
        using var path = new TestSocketPath();
        int fd;
        using (var listening = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks the path a Socket bound when it is disposed: bind elsewhere and rename, as a
            // `start` process that hands its socket to the daemon must avoid that unlink too.
            var boundAt = path.Path + ".tmp";
            listening.Bind(new UnixDomainSocketEndPoint(boundAt));
            listening.Listen(8);
            File.Move(boundAt, path.Path);
            fd = Dup((int)listening.Handle); // what the daemon inherits from `start`
            fd.ShouldBeGreaterThan(2);
        }
        await using var server = new TtrpcServer(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny });
        server.Register(Echo.Service, "Echo", Google.Protobuf.WellKnownTypes.StringValue.Parser, (r, _) => Task.FromResult(r));

        server.ListenOnFileDescriptor(fd);

        await AssertServesAsync(path.Path);
    }

    [Fact]
    public async Task Listening_twice_is_refused()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        using var other = new TestSocketPath();

        Should.Throw<InvalidOperationException>(() => harness.Server.Listen(other.Path));
    }

    [Fact]
    public void A_socket_that_is_not_listening_is_refused()
    {
        using var path = new TestSocketPath();
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(path.Path));
        var server = new TtrpcServer();

        Should.Throw<ArgumentException>(() => server.Listen(bound)).Message.ShouldContain("not listening");
    }

    [Fact]
    public void A_file_descriptor_that_is_not_a_socket_is_refused()
    {
        using var path = new TestSocketPath();
        using var file = File.OpenHandle(System.IO.Path.Combine(path.Directory, "plain"), FileMode.Create, FileAccess.ReadWrite);
        var fd = Dup((int)file.DangerousGetHandle());
        var server = new TtrpcServer();

        Should.Throw<ArgumentException>(() => server.ListenOnFileDescriptor(fd)).Message.ShouldContain($"file descriptor {fd}");
    }

    [Fact]
    public void A_socket_path_in_a_missing_directory_names_the_directory()
    {
        using var path = new TestSocketPath();
        var missing = System.IO.Path.Combine(path.Directory, "nope", "s.sock");
        var server = new TtrpcServer();

        Should.Throw<DirectoryNotFoundException>(() => server.Listen(missing)).Message.ShouldContain("create it first");
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_and_the_first_keeps_working()
    {
        await using var harness = new ServerHarness(new TtrpcServerOptions { PeerPolicy = PeerCredentialPolicy.AllowAny, MaxConnections = 1 })
            .WithEcho().Start();
        await using var first = await harness.ConnectClientAsync();
        (await Echo.CallAsync(first, "Echo", "one")).Value.ShouldBe("one");

        await using var second = await harness.ConnectClientAsync();

        await Should.ThrowAsync<TtrpcClosedException>(() => Echo.CallAsync(second, "Echo", "two"));
        (await Echo.CallAsync(first, "Echo", "still")).Value.ShouldBe("still");
    }

    private static async Task AssertServesAsync(string path)
    {
        await using var client = await TtrpcClient.ConnectAsync(path, CancellationToken.None);
        (await Echo.CallAsync(client, "Echo", "ok")).Value.ShouldBe("ok");
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);
}
