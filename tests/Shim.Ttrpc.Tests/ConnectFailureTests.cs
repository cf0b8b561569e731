namespace Shim.Ttrpc.Tests;

public sealed class ConnectFailureTests
{
    [Fact]
    public async Task Connecting_to_a_missing_socket_names_the_path()
    {
        using var path = new TestSocketPath();

        var ex = await Should.ThrowAsync<TtrpcClosedException>(() => TtrpcClient.ConnectAsync(path.Path, CancellationToken.None));

        ex.Message.ShouldContain(path.Path);
    }
}
