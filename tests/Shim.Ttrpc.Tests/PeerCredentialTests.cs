namespace Shim.Ttrpc.Tests;

public sealed class PeerCredentialTests
{
    [Fact]
    public async Task Rejected_peer_is_closed_without_a_reply()
    {
        var checkedPeer = new TaskCompletionSource<PeerCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new PeerCredentialPolicy("nobody", peer => { checkedPeer.TrySetResult(peer); return false; });
        await using var harness = new ServerHarness(new TtrpcServerOptions { PeerPolicy = policy }).WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();

        var ex = await Should.ThrowAsync<TtrpcClosedException>(() => Echo.CallAsync(client, "Echo", "x"));

        ex.Message.ShouldStartWith(TtrpcClosedException.ClosedText);
        var peer = await checkedPeer.Task.WaitAsync(RawPeer.Patience);
        peer.Pid.ShouldBe(Environment.ProcessId);
        peer.Uid.ShouldBe(ProcessIdentity.EffectiveUserId);
        peer.Gid.ShouldBe(ProcessIdentity.EffectiveGroupId);
    }

    [Fact]
    public async Task A_throwing_policy_rejects_instead_of_crashing_the_server()
    {
        var calls = 0;
        var policy = new PeerCredentialPolicy("flaky", _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("bug") : true);
        await using var harness = new ServerHarness(new TtrpcServerOptions { PeerPolicy = policy }).WithEcho().Start();

        await using (var first = await harness.ConnectClientAsync())
        {
            await Should.ThrowAsync<TtrpcClosedException>(() => Echo.CallAsync(first, "Echo", "x"));
        }
        await using var second = await harness.ConnectClientAsync();
        (await Echo.CallAsync(second, "Echo", "ok")).Value.ShouldBe("ok");
    }

    [Fact]
    public async Task Default_policy_admits_our_own_user()
    {
        await using var harness = new ServerHarness(new TtrpcServerOptions()).WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();

        (await Echo.CallAsync(client, "Echo", "me")).Value.ShouldBe("me");
    }

    [Theory]
    [InlineData(0u, true)]
    [InlineData(65534u, false)]
    public void Default_policy_admits_root_and_refuses_other_users(uint uid, bool admitted)
    {
        var expected = admitted || uid == ProcessIdentity.EffectiveUserId;

        PeerCredentialPolicy.RootOrSameUser.IsAllowed(new PeerCredentials(1, uid, uid)).ShouldBe(expected);
        PeerCredentialPolicy.RootOrSameUser.IsAllowed(new PeerCredentials(1, ProcessIdentity.EffectiveUserId, 12345)).ShouldBeTrue();
    }

    [Fact]
    public void Same_user_and_group_policy_needs_both()
    {
        var uid = ProcessIdentity.EffectiveUserId;
        var gid = ProcessIdentity.EffectiveGroupId;

        PeerCredentialPolicy.SameUserAndGroup.IsAllowed(new PeerCredentials(1, uid, gid)).ShouldBeTrue();
        PeerCredentialPolicy.SameUserAndGroup.IsAllowed(new PeerCredentials(1, uid, gid + 1)).ShouldBeFalse();
        PeerCredentialPolicy.SameUserAndGroup.IsAllowed(new PeerCredentials(1, uid + 1, gid)).ShouldBeFalse();
    }
}
