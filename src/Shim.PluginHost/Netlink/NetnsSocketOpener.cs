using System.ComponentModel;
using System.Runtime.InteropServices;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Netlink;

/// <summary>
/// Creates sockets inside another network namespace. setns(CLONE_NEWNET) changes only the calling thread, so it runs
/// on a dedicated thread that ends afterwards (never a pool thread, never reused). A socket keeps the namespace it was
/// created in for its whole life, so the returned descriptors work from any thread.
/// </summary>
internal static class NetnsSocketOpener
{
    public static int[] Open(string netnsPath, TimeSpan deadline, params (int Domain, int Type, int Protocol)[] sockets)
    {
        int[]? fds = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                fds = OpenOnThisThread(netnsPath, sockets);
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        { IsBackground = true, Name = "kataplug-netns-enter" };
        thread.Start();
        if (!thread.Join(deadline))
            throw new TimeoutException($"entering network namespace {netnsPath} took longer than {deadline.TotalSeconds:0.#} s");
        if (error is not null) throw error;
        return fds!;
    }

    private static int[] OpenOnThisThread(string netnsPath, (int Domain, int Type, int Protocol)[] sockets)
    {
        var target = Libc.open(netnsPath, Libc.ORdonly | Libc.OCloexec);
        if (target < 0) throw Fail($"open {netnsPath}", "is the pod's network namespace path right, and does it still exist?");
        var self = Libc.open("/proc/thread-self/ns/net", Libc.ORdonly | Libc.OCloexec);
        if (self < 0)
        {
            Libc.close(target);
            throw Fail("open /proc/thread-self/ns/net", "is /proc mounted?");
        }
        var opened = new List<int>();
        try
        {
            if (Libc.setns(target, Libc.CloneNewNet) != 0) throw Fail($"setns({netnsPath}, CLONE_NEWNET)", "the shim needs CAP_SYS_ADMIN (run as root)");
            foreach (var (domain, type, protocol) in sockets)
            {
                var fd = Libc.socket(domain, type | Libc.SockCloexec, protocol);
                if (fd < 0) throw Fail($"socket({domain}, {type}, {protocol}) in {netnsPath}", "check the kernel supports it");
                opened.Add(fd);
            }
            return [.. opened];
        }
        catch
        {
            foreach (var fd in opened) Libc.close(fd);
            throw;
        }
        finally
        {
            // If switching back fails the thread is simply left to end: it is never used for anything else.
            _ = Libc.setns(self, Libc.CloneNewNet);
            Libc.close(self);
            Libc.close(target);
        }
    }

    private static Win32Exception Fail(string what, string hint)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{what}: {Libc.ErrorText(errno)}; {hint}");
    }
}
